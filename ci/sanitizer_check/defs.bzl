"""sanitizer_check: an sh_test that runs one bug of :sanitizer_bugs."""

def sanitizer_check(name, bug, enabled_by, pattern):
    """Expects `pattern` from `bug` under the configs in `enabled_by`, a clean run elsewhere."""
    mode = {setting: ["expect"] for setting in enabled_by}
    mode["//conditions:default"] = ["absent"]
    native.sh_test(
        name = name,
        size = "small",
        srcs = ["expect_report.sh"],
        data = [":sanitizer_bugs"],
        args = ["$(rootpath :sanitizer_bugs)", bug] + select(mode) + ["'%s'" % pattern],
    )
