#!/usr/bin/env bash
# Install the unpacked trayapp bundle for the current user (no root):
#   ./install.sh            copy this folder to ~/.local/opt/trayapp, link ~/.local/bin/trayapp,
#                           add the menu entry (.desktop) and the icons
#   ./install.sh --remove   undo all of that (autostart is the app's own setting: switch it off
#                           in Settings first, or delete ~/.config/autostart/<app id>.desktop)
# Shipped inside the release tarball by packaging/build-linux.
set -euo pipefail
APP_ID=io.github.trayapp.TrayApp
PREFIX=${PREFIX:-$HOME/.local}
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
here=$(cd "$(dirname "$0")" && pwd)
dest="$PREFIX/opt/trayapp"
res="_internal/trayapp/resources"

if [ "${1:-}" = "--remove" ]; then
  rm -rf "$dest" "$PREFIX/bin/trayapp" "$DATA/applications/$APP_ID.desktop"
  find "$DATA/icons/hicolor" -name "$APP_ID*" -delete 2>/dev/null || true
  echo "trayapp removed"
  exit 0
fi

if [ "$here" != "$dest" ]; then
  rm -rf "$dest" && mkdir -p "$dest" && cp -a "$here/." "$dest/"
fi
mkdir -p "$PREFIX/bin" "$DATA/applications"
ln -sfn "$dest/trayapp" "$PREFIX/bin/trayapp"
# Exec=trayapp in the entry relies on PATH; ~/.local/bin is not on every PATH, so point at it.
sed "s|^Exec=trayapp|Exec=$dest/trayapp|" "$dest/$res/$APP_ID.desktop" \
  > "$DATA/applications/$APP_ID.desktop"
mkdir -p "$DATA/icons" && cp -r "$dest/$res/icons/hicolor" "$DATA/icons/"   # merges
# Menus notice the new entry by the directory's mtime. No gtk-update-icon-cache here: a cache
# in the user's hicolor goes stale when other apps add icons without refreshing it.
touch "$DATA/applications" "$DATA/icons/hicolor"
echo "trayapp installed in $dest; run 'trayapp' or find it in the applications menu"
