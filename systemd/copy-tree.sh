#!/usr/bin/env bash
# Copies a checkout to the install folder as root's own tree (systemd/install-pi.sh calls it):
#   systemd/copy-tree.sh SOURCE TARGET
# Root and the service run the code in TARGET, so whoever owns the checkout must not be able
# to change it: every file becomes root:root with no group or other write and no set-id bit,
# and a link that leads out of the tree (to a file its owner could change) is refused.
set -euo pipefail
source_dir=${1:?usage: copy-tree.sh SOURCE TARGET}
target=${2:?usage: copy-tree.sh SOURCE TARGET}
[ "$(id -u)" -eq 0 ] || { echo "copy-tree.sh: run as root" >&2; exit 1; }
mkdir -p "$target"
if [ "$(realpath "$source_dir")" != "$(realpath "$target")" ]; then  # else: the checkout is the install folder
    cp -R --preserve=mode,timestamps,links --no-preserve=ownership -P "$source_dir"/. "$target"/
    rm -rf "$target/.venv"  # a venv does not survive being moved
fi
chown -R -h root:root "$target"  # also what an earlier install left there
chmod -R go-w,ug-s "$target"  # chmod skips links
root=$(realpath "$target")
while IFS= read -r -d '' link; do
    case "$(realpath -m "$link")" in
        "$root"/*) ;;
        *) echo "copy-tree.sh: $link leads out of the checkout (to $(readlink "$link")); remove that link from $source_dir and install again" >&2
           exit 1 ;;
    esac
done < <(find "$target" -type l -print0)
