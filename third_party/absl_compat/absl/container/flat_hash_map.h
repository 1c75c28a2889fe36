// SPDX-License-Identifier: GPL-2.0-only
// absl_compat (third_party/absl_compat/README.md): absl::flat_hash_map, as a
// std::unordered_map. The fuzz targets use it as a plain map (find, emplace,
// try_emplace, erase by key, clear) and never depend on iteration order,
// which neither container defines.
#ifndef SMPFUZZ_ABSL_COMPAT_CONTAINER_FLAT_HASH_MAP_H_
#define SMPFUZZ_ABSL_COMPAT_CONTAINER_FLAT_HASH_MAP_H_

#include <functional>
#include <unordered_map>

namespace absl {

template <typename K, typename V, typename Hash = std::hash<K>, typename Eq = std::equal_to<K>>
using flat_hash_map = std::unordered_map<K, V, Hash, Eq>;

}  // namespace absl

#endif  // SMPFUZZ_ABSL_COMPAT_CONTAINER_FLAT_HASH_MAP_H_
