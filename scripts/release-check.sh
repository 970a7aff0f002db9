#!/usr/bin/env bash
# The release build, checked the way Maven Central and the Reproducible Builds project would. The committed tree
# (HEAD, not the work tree) is built twice from clean copies with `-Prelease`, at its release version (the pom's
# without -SNAPSHOT, or $1), tests skipped (CI runs them first), signed with a throw-away GPG key. It fails unless
#  - every artifact (jar, sources, javadoc, pom, their signatures and checksums) and the Central Portal bundle have the
#    same SHA-256 in both builds,
#  - gpg verifies the signatures, and the bundle holds exactly the repository layout Central wants, checksums right,
#  - the generated goal pages (mvn site) document every bluegreen.* parameter of the README's Parameters table.
# Uploads nothing. Runs as root on a fresh Debian machine (installs gnupg and unzip if missing); under 3 minutes.
# MVN=/path/to/mvn checks with another Maven.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
START=$SECONDS
fail() { echo "release-check: FAILED: $*" >&2; exit 1; }

need=()
command -v gpg >/dev/null 2>&1 && command -v gpg-agent >/dev/null 2>&1 && command -v gpgconf >/dev/null 2>&1 || need+=(gnupg)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || fail "missing ${need[*]}; run as root or install them"
    echo "release-check: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# the invoker ITs need the test servers: never here
unset BLUEGREEN_IT_DIR

ARTIFACT=bluegreen-maven-plugin
GROUP_PATH=io/github/bluegreen
CURRENT=$(git show HEAD:pom.xml | sed -n "/<artifactId>$ARTIFACT<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}")
[ -n "$CURRENT" ] || fail "cannot read the project's version from pom.xml"
VERSION=${1:-${CURRENT%-SNAPSHOT}}
NAME=$ARTIFACT-$VERSION
[ -z "$(git status --porcelain --untracked-files=no)" ] || echo "release-check: note: uncommitted changes are not checked (HEAD is)" >&2

WORK=$(mktemp -d /tmp/bluegreen-release.XXXXXX)
export GNUPGHOME=$WORK/gnupg
cleanup() {
    [ -d "$GNUPGHOME" ] && gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# A throw-away key, no passphrase. Its signing time is pinned for this run (Ed25519 signatures are deterministic), so
# the two builds' signatures, and with them the whole signed bundle, must be identical too.
mkdir -m 700 "$GNUPGHOME"
echo "faked-system-time $(date -u +%Y%m%dT%H%M%S)!" > "$GNUPGHOME/gpg.conf"
gpg --batch --quiet --passphrase '' --quick-generate-key \
    "$ARTIFACT release check (throw-away) <release-check@invalid>" ed25519 sign 1d 2>/dev/null
KEY=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
[ -n "$KEY" ] || fail "no throw-away key was generated"

for build in a b; do
    mkdir "$WORK/$build"
    git archive --format=tar HEAD | tar -x -C "$WORK/$build"
    sed -i "0,/<version>$CURRENT<\/version>/s//<version>$VERSION<\/version>/" "$WORK/$build/pom.xml"
done
# one Maven run per build; the first one also generates the site with the goal pages
for build in a b; do
    goals=(verify)
    [ $build = a ] && goals+=(site)
    t=$SECONDS
    if ! (cd "$WORK/$build" && "${MVN:-mvn}" -B -ntp -Prelease -Dmaven.test.skip=true -Dgpg.keyname="$KEY" "${goals[@]}") \
            > "$WORK/$build.log" 2>&1; then
        tail -n 60 "$WORK/$build.log" >&2
        fail "the release build ($build) failed"
    fi
    echo "release-check: build $build (${goals[*]}) took $((SECONDS - t)) s"
done

A=$WORK/a/target
B=$WORK/b/target
BUNDLE=$NAME-bundle.zip
DIR=$GROUP_PATH/$ARTIFACT/$VERSION

# 1. reproducible: every file of the bundle, and the bundle itself, byte for byte
differ=0 compared=0
while read -r path; do
    sa=$(sha256sum < "$A/central-bundle/$path" | cut -d' ' -f1)
    sb=$(sha256sum < "$B/central-bundle/$path" 2>/dev/null | cut -d' ' -f1) || sb=missing
    compared=$((compared + 1))
    if [ "$sa" = "$sb" ]; then
        printf '  same     %s  %s\n' "$sa" "${path##*/}"
    else
        printf '  DIFFERS  %s  %s (second build: %s)\n' "$sa" "${path##*/}" "$sb"
        differ=$((differ + 1))
    fi
done < <(cd "$A/central-bundle" && find . -type f | sed 's:^\./::' | LC_ALL=C sort)
sa=$(sha256sum < "$A/$BUNDLE" | cut -d' ' -f1)
sb=$(sha256sum < "$B/$BUNDLE" | cut -d' ' -f1)
compared=$((compared + 1))
if [ "$sa" = "$sb" ]; then printf '  same     %s  %s\n' "$sa" "$BUNDLE"; else printf '  DIFFERS  %s  %s (second build: %s)\n' "$sa" "$BUNDLE" "$sb"; differ=$((differ + 1)); fi
[ "$(cd "$A/central-bundle" && find . -type f | wc -l)" = "$(cd "$B/central-bundle" && find . -type f | wc -l)" ] ||
    fail "the two builds' bundles hold different files"
[ $differ = 0 ] || fail "$differ of $compared files differ between two builds of the same commit"

# 2. the bundle as the Central Portal takes it: only $DIR/, each file signed (gpg verifies it) and checksummed
mkdir "$WORK/unzipped"
unzip -q "$A/$BUNDLE" -d "$WORK/unzipped"
expected=()
for file in "$NAME.pom" "$NAME.jar" "$NAME-sources.jar" "$NAME-javadoc.jar"; do
    expected+=("$DIR/$file" "$DIR/$file.asc" "$DIR/$file.md5" "$DIR/$file.sha1")
    f=$WORK/unzipped/$DIR/$file
    [ -s "$f" ] || fail "the bundle has no $DIR/$file"
    [ "$(tr -d ' \n' < "$f.md5")" = "$(md5sum < "$f" | cut -d' ' -f1)" ] || fail "$file.md5 is wrong"
    [ "$(tr -d ' \n' < "$f.sha1")" = "$(sha1sum < "$f" | cut -d' ' -f1)" ] || fail "$file.sha1 is wrong"
    gpg --batch --verify "$f.asc" "$f" 2>/dev/null || fail "gpg does not verify $file.asc"
done
[ "$(unzip -Z1 "$A/$BUNDLE" | grep -v '/$' | LC_ALL=C sort)" = "$(printf '%s\n' "${expected[@]}" | LC_ALL=C sort)" ] ||
    fail "the bundle holds other files than $DIR/ with the pom, jar, sources and javadoc jars, .asc, .md5, .sha1: $(unzip -Z1 "$A/$BUNDLE" | tr '\n' ' ')"
pom=$WORK/unzipped/$DIR/$NAME.pom
for element in name description url licenses developers scm issueManagement; do
    grep -q "<$element>" "$pom" || fail "the pom has no <$element>, which Central requires"
done
unzip -Z1 "$WORK/unzipped/$DIR/$NAME.jar" > "$WORK/jar-entries"
grep -qx META-INF/maven/plugin.xml "$WORK/jar-entries" || fail "the jar has no plugin descriptor"
grep -qx META-INF/LICENSE "$WORK/jar-entries" || fail "the jar has no META-INF/LICENSE"

# 3. one generated page per goal, and every bluegreen.* parameter the README's Parameters table lists is on one
SITE=$WORK/a/target/site
goals=$(sed -n 's:.*<goal>\(.*\)</goal>.*:\1:p' "$WORK/a/target/classes/META-INF/maven/plugin.xml")
for goal in $goals; do
    [ -s "$SITE/$goal-mojo.html" ] || fail "no generated page for the goal $goal ($goal-mojo.html)"
done
listed=$(sed -n '/^## Parameters/,/^## [^P]/p' "$WORK/a/README.md" | grep '^| `' | cut -d'|' -f2 |
    grep -o '`bluegreen\.[A-Za-z]*`' | tr -d '`' | LC_ALL=C sort -u)
[ -n "$listed" ] || fail "no bluegreen.* parameter found in the README's Parameters table"
missing=()
for property in $listed; do
    grep -qF "<strong>User Property</strong>: <code>$property</code>" "$SITE"/*-mojo.html || missing+=("$property")
done
[ ${#missing[@]} = 0 ] || fail "the README lists parameters no goal page documents: ${missing[*]}"

echo "release-check: $NAME: $compared files identical in two builds (SHA-256), bundle $BUNDLE laid out and checksummed"
echo "  for the Central Portal, 4 signatures verified, $(echo "$goals" | wc -w) goal pages documenting the README's"
echo "  $(echo "$listed" | wc -l) bluegreen.* parameters; nothing uploaded; $((SECONDS - START)) s"
