#!/bin/sh
# SPDX-License-Identifier: ISC
# pki.sh DIR - a throwaway test PKI: ca.pem (the test CA), server.pem/key for
# localhost, 127.0.0.1 and ::1, and other-ca.pem, a CA that signed nothing
# here (to prove that an untrusted DC certificate is refused).
set -eu

dir=${1:?usage: pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
[ -s ca.pem ] && [ -s server.pem ] && [ -s other-ca.pem ] && exit 0

umask 077
mkca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" \
	    -out "$1.pem" -days 30 -subj "/CN=$2" 2>/dev/null
}
mkca ca "breakglass test CA"
mkca other-ca "some other CA"
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
    -subj "/CN=localhost" 2>/dev/null
cat >server.ext <<EXT
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out server.pem -days 30 -extfile server.ext 2>/dev/null
chmod 644 ca.pem other-ca.pem server.pem
rm -f server.csr server.ext
