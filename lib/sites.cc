// SPDX-License-Identifier: GPL-2.0-only
#include "lib/sites.h"

#include <cstring>

namespace smpfuzz {
namespace {

struct SiteInfo {
  const char* name;
  const char* function;
  const char* expression;
};

constexpr SiteInfo kSites[] = {
#define SMPFUZZ_SITE_INFO(id, fn, expr) {#id, fn, expr},
    SMPFUZZ_SITES(SMPFUZZ_SITE_INFO)
#undef SMPFUZZ_SITE_INFO
};

const SiteInfo& Info(Site s) {
  int i = static_cast<int>(s);
  if (i < 0 || i >= kSiteCount) i = static_cast<int>(Site::fence);
  return kSites[i];
}

}  // namespace

const char* SiteFunction(Site s) { return Info(s).function; }
const char* SiteExpression(Site s) { return Info(s).expression; }
const char* SiteName(Site s) { return Info(s).name; }

bool SiteFromName(const char* name, Site* out) {
  for (int i = 0; i < kSiteCount; ++i) {
    if (std::strcmp(kSites[i].name, name) == 0) {
      *out = static_cast<Site>(i);
      return true;
    }
  }
  return false;
}

}  // namespace smpfuzz
