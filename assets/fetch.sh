#!/usr/bin/env bash
# Refreshes the vendored front-end files from the npm registry (versions pinned in package.json,
# integrity in package-lock.json) and records each file's sha256 in VENDOR.lock.
# Run it after changing package.json; commit the copied files and VENDOR.lock.
# A test (crates/web: vendored_assets_match_the_lock) fails if a copied file drifts from the lock.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
web=../crates/web/assets/vendor
tests=../crates/hamafza/tests/it/vendor
mkdir -p "$web" "$tests"
cp 'node_modules/vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2' "$web/vazirmatn.woff2"
cp node_modules/vazirmatn/OFL.txt "$web/vazirmatn-OFL.txt"
cp node_modules/htmx.org/dist/htmx.min.js "$web/htmx.min.js"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js "$web/swagger-ui-bundle.js"
cp node_modules/swagger-ui-dist/swagger-ui.css "$web/swagger-ui.css"
cp node_modules/axe-core/axe.min.js "$tests/axe.min.js"
{
  echo "# file  sha256  package@version — written by assets/fetch.sh"
  for f in vazirmatn.woff2:vazirmatn vazirmatn-OFL.txt:vazirmatn htmx.min.js:htmx.org \
           swagger-ui-bundle.js:swagger-ui-dist swagger-ui.css:swagger-ui-dist; do
    file=${f%%:*}; pkg=${f##*:}
    ver=$(node -p "require('./node_modules/$pkg/package.json').version")
    echo "crates/web/assets/vendor/$file $(sha256sum "$web/$file" | cut -d' ' -f1) $pkg@$ver"
  done
  ver=$(node -p "require('./node_modules/axe-core/package.json').version")
  echo "crates/hamafza/tests/it/vendor/axe.min.js $(sha256sum "$tests/axe.min.js" | cut -d' ' -f1) axe-core@$ver"
} > VENDOR.lock
cat VENDOR.lock
