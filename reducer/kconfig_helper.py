#!/usr/bin/python3
"""Kconfig semantics for the reduce driver, one long-lived process per run.

Started by reducer/kconfig.c with the kernel source tree and a base .config.
Reads one command per line on stdin and answers on stdout:

  tree                 -> "node ID PARENT GROUP WEIGHT NAME" lines, then "end"
                          (the Kconfig menu tree pruned to the symbols a user
                          can turn off in the base config)
  resolve OUT SYM...   -> "ok ENABLED HASH": the base config with SYMs set to
                          n, dependents forced off by Kconfig, written to OUT
  quit

Errors are answered as "error MESSAGE" lines; the process never prints a
traceback to the driver.
"""

import hashlib
import os
import subprocess
import sys

import kconfiglib

# Linux 5.13 turned `option modules` into a top-level `modules` attribute of
# `config MODULES`; Kconfiglib 14.1 predates that. Rewriting the line to the
# old spelling before tokenizing makes the whole tree parse.
_orig_tokenize = kconfiglib.Kconfig._tokenize


def _tokenize(self, s):
    stripped = s.strip()
    if stripped == "modules":
        s = s.replace("modules", "option modules", 1)
    return _orig_tokenize(self, s)


kconfiglib.Kconfig._tokenize = _tokenize


def shell_line(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=dict(os.environ, LC_ALL="C"), check=False).stdout
        return out.decode(errors="replace").split("\n")[0].replace("#", "")
    except OSError:
        return ""


def enabled_lines(kconf):
    out = []
    for sym in kconf.unique_defined_syms:
        if sym.config_string:
            out.append(sym.config_string)
    return out


def candidates(kconf):
    """Symbols a user could turn off: bool/tristate, on, and n assignable.
    Selected symbols and symbols without a prompt are not."""
    cands = set()
    for sym in kconf.unique_defined_syms:
        if sym.orig_type not in (kconfiglib.BOOL, kconfiglib.TRISTATE):
            continue
        if sym.tri_value == 0 or sym.choice is not None:
            continue
        if 0 in sym.assignable:
            cands.add(sym)
    return cands


def dependents(sym):
    """Rough payoff of turning sym off: how many symbols depend on it."""
    return len(sym._dependents)


def tree(kconf, out):
    cands = candidates(kconf)
    seen_syms = set()
    lines = []

    # Walk the menu tree; a node survives if it is a candidate itself or has
    # a candidate below it. Groups (menus, non-candidate symbols) survive as
    # grouping nodes so that hier can remove a whole menu at once.
    def walk(node, parent_id):
        while node:
            item = node.item
            is_cand = isinstance(item, kconfiglib.Symbol) and item in cands \
                and item not in seen_syms
            if is_cand:
                seen_syms.add(item)
            my_id = parent_id
            if is_cand or node.list:
                my_id = len(lines)
                if isinstance(item, kconfiglib.Symbol):
                    name = item.name
                elif isinstance(item, kconfiglib.Choice):
                    name = "choice:" + (node.prompt[0] if node.prompt else "?")
                else:
                    name = "menu:" + (node.prompt[0] if node.prompt else "?")
                weight = dependents(item) if is_cand else 0
                lines.append([my_id, parent_id, 0 if is_cand else 1, weight,
                              name.replace(" ", "_")])
            if node.list:
                walk(node.list, my_id)
            node = node.next

    walk(kconf.top_node.list, -1)
    # Drop grouping nodes that ended up with no candidate below them, then
    # renumber densely.
    has_cand = {}
    for l in reversed(lines):
        has_cand[l[0]] = has_cand.get(l[0], False) or l[2] == 0
        if has_cand[l[0]] and l[1] != -1:
            has_cand[l[1]] = True
    keep = [l for l in lines if has_cand[l[0]]]
    renum = {l[0]: i for i, l in enumerate(keep)}
    for l in keep:
        parent = renum.get(l[1], -1) if l[1] != -1 else -1
        out.write("node %d %d %d %d %s\n" % (renum[l[0]], parent, l[2], l[3], l[4]))
    out.write("end\n")


def resolve(kconf, base, outpath, names):
    kconf.load_config(base, replace=True)
    for name in names:
        sym = kconf.syms.get(name)
        if sym is None:
            raise ValueError("unknown symbol " + name)
        sym.set_value(0)
    lines = enabled_lines(kconf)
    kconf.write_config(outpath, header="# written by reduce\n", save_old=False)
    digest = hashlib.sha1("".join(sorted(lines)).encode()).hexdigest()
    enabled = sum(1 for l in lines if l.endswith("=y\n") or l.endswith("=m\n"))
    return enabled, digest


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: kconfig_helper.py SRCTREE BASECONFIG\n")
        return 2
    # Kconfig paths are relative to the source tree, so the helper works
    # from there; the caller's paths are made absolute first.
    srctree, base = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    start_dir = os.getcwd()
    os.environ.setdefault("srctree", srctree)
    os.environ.setdefault("ARCH", "x86")
    os.environ.setdefault("SRCARCH", "x86")
    os.environ.setdefault("CC", "gcc")
    os.environ.setdefault("LD", "ld")
    os.environ.setdefault("HOSTCC", "gcc")
    os.environ.setdefault("HOSTCXX", "g++")
    if "KERNELVERSION" not in os.environ:
        os.environ["KERNELVERSION"] = "6.1"
    # What the kernel's top Makefile exports for Kconfig; without them the
    # written config differs from olddefconfig's in these strings.
    if "CC_VERSION_TEXT" not in os.environ:
        os.environ["CC_VERSION_TEXT"] = shell_line(["gcc", "--version"])
    for var, tool in (("PAHOLE", "pahole"), ("AR", "ar"), ("NM", "nm"),
                      ("OBJCOPY", "objcopy"), ("OBJDUMP", "objdump"),
                      ("READELF", "readelf"), ("STRIP", "strip")):
        os.environ.setdefault(var, tool)
    os.chdir(srctree)
    try:
        kconf = kconfiglib.Kconfig("Kconfig", warn=False, suppress_traceback=True)
        kconf.load_config(base, replace=True)
    except Exception as exc:  # reported to the driver, not as a traceback
        print("error cannot load Kconfig: %s" % str(exc).replace("\n", " "), flush=True)
        return 1
    print("ready", flush=True)

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "tree":
                kconf.load_config(base, replace=True)
                tree(kconf, sys.stdout)
            elif words[0] == "resolve" and len(words) >= 2:
                out = os.path.join(start_dir, words[1])
                enabled, digest = resolve(kconf, base, out, words[2:])
                print("ok %d %s" % (enabled, digest))
            elif words[0] == "quit":
                return 0
            else:
                print("error unknown command " + words[0])
        except Exception as exc:
            print("error %s" % str(exc).replace("\n", " "))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
