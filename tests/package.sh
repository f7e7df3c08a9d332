#!/bin/sh
# SPDX-License-Identifier: ISC
# package.sh - build the .deb, install it on this machine, check what it
# installed (files, modes, user, unit), run it, lint it, purge it.
# Prints ok/not ok lines like the integration tests.  Needs root.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

out=${BG_TEST_OUT:-/tmp}/package
rm -rf "$out"
mkdir -p "$out"

if make deb >"$out/build.log" 2>&1; then ok "dpkg-buildpackage -us -uc -b builds a .deb"; else
	notok "dpkg-buildpackage failed"
	tail -n 30 "$out/build.log" | sed 's/^/# /'
	exit 1
fi
deb=$(ls build/deb/breakglass_*.deb | head -n 1)
lintian --no-tag-display-limit "$deb" >"$out/lintian.log" 2>&1
errors=$(grep -c '^E:' "$out/lintian.log")
check "lintian reports no error ($errors)" test "$errors" -eq 0
grep '^E:' "$out/lintian.log" | sed 's/^/# /'

dpkg --purge breakglass >/dev/null 2>&1
if dpkg -i "$deb" >"$out/install.log" 2>&1; then ok "the .deb installs"; else
	notok "dpkg -i failed"
	sed 's/^/# /' "$out/install.log"
	exit 1
fi
check "the service user exists" getent passwd breakglass
check "/usr/sbin/breakglass is installed, 0755" test "$(stat -c %a /usr/sbin/breakglass)" = 755
check "/var/lib/breakglass is 0700 breakglass:breakglass" \
    test "$(stat -c '%a %U:%G' /var/lib/breakglass)" = "700 breakglass:breakglass"
check "/etc/breakglass/breakglass.conf is 0640 root:breakglass" \
    test "$(stat -c '%a %U:%G' /etc/breakglass/breakglass.conf)" = "640 root:breakglass"
check "the man pages are installed" test -s /usr/share/man/man8/breakglass.8.gz -a \
    -s /usr/share/man/man5/breakglass.conf.5.gz
check "the admin guide is installed" test -s /usr/share/doc/breakglass/admin-guide.md.gz
check "the unit is installed" test -s /usr/lib/systemd/system/breakglass.service
systemd-analyze verify /usr/lib/systemd/system/breakglass.service >"$out/verify.log" 2>&1
check "systemd-analyze verify passes" test ! -s "$out/verify.log"
sed 's/^/# /' "$out/verify.log"
score=$(systemd-analyze security --offline=true /usr/lib/systemd/system/breakglass.service 2>/dev/null |
    sed -n 's/.*Overall exposure level for breakglass.service: \([0-9.]*\).*/\1/p')
check "systemd-analyze security: exposure $score <= 2.0" \
    awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }'
/usr/sbin/breakglass version >"$out/version" 2>&1
# dpkg-buildflags' CPPFLAGS carry -D_FORTIFY_SOURCE=2: the build must use them
check "the packaged binary is built with _FORTIFY_SOURCE (calls __*_chk)" sh -c \
    'objdump -T /usr/sbin/breakglass | grep -q "__[a-z]*printf_chk"'
check "breakglass version runs" grep -q '^breakglass [0-9]' "$out/version"
/usr/sbin/breakglass -c /etc/breakglass/breakglass.conf config-check >"$out/cc.out" 2>"$out/cc.err"
rc=$?
check "config-check on the shipped example exits 2" test "$rc" -eq 2
check "and names the first placeholder with file, line and key" grep -q \
    '/etc/breakglass/breakglass.conf:11: .*account.dn: "<CN=btg-admin' "$out/cc.err"
sed 's/^/# /' "$out/cc.err"
mandoc -T lint -W warning docs/breakglass.8 docs/breakglass.conf.5 >"$out/mandoc.log" 2>&1
grep -v 'mandoc.db' "$out/mandoc.log" >"$out/mandoc.real"
check "mandoc -T lint is clean on both man pages" test ! -s "$out/mandoc.real"
sed 's/^/# /' "$out/mandoc.real"
# the RPM spec, built with Debian's rpmbuild (no RHEL build dependencies
# here, hence --nodeps; systemd's RPM macros are RHEL's, hence _unitdir)
rm -rf "$out/rpm" && mkdir -p "$out/rpm/SOURCES"
git -C "$top" archive --prefix=breakglass-0.1.0/ \
    -o "$out/rpm/SOURCES/breakglass-0.1.0.tar.gz" HEAD
rpmbuild -bb --nodeps --define "_topdir $out/rpm" \
    --define "_unitdir /usr/lib/systemd/system" \
    "$top/packaging/rpm/breakglass.spec" >"$out/rpmbuild.log" 2>&1
check "rpmbuild builds the RPM from packaging/rpm/breakglass.spec" \
    test -s "$out/rpm/RPMS/x86_64/breakglass-0.1.0-1.x86_64.rpm"
tail -n 5 "$out/rpmbuild.log" | sed 's/^/# /'
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]' \
    "$out/rpm/RPMS/x86_64/breakglass-0.1.0-1.x86_64.rpm" >"$out/rpm.list" 2>/dev/null
check "the RPM has the binary, man pages, unit, sysusers and tmpfiles" sh -c '
for f in /usr/sbin/breakglass /usr/share/man/man8/breakglass.8 \
    /usr/share/man/man5/breakglass.conf.5 /usr/lib/systemd/system/breakglass.service \
    /usr/lib/sysusers.d/breakglass.conf /usr/lib/tmpfiles.d/breakglass.conf; do
	grep -q " $f\$" "$1" || exit 1
done' - "$out/rpm.list"
check "the RPM's config is 0640 root:breakglass, the state dir 0700" sh -c '
grep -qx -- "-rw-r----- root breakglass /etc/breakglass/breakglass.conf" "$1" &&
grep -qx -- "drwx------ breakglass breakglass /var/lib/breakglass" "$1"' - "$out/rpm.list"

dpkg --purge breakglass >/dev/null 2>&1
check "purge removes the package, its user and state" sh -c \
    '! dpkg -s breakglass >/dev/null 2>&1 && ! getent passwd breakglass && test ! -e /var/lib/breakglass'
