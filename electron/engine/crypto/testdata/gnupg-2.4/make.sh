#!/bin/sh
# Regenerates these fixtures with GnuPG 2.4 (GPG names the gpg 2.4 binary, AGENT its gpg-agent).
# Usage: GPG=gpg AGENT=gpg-agent sh make.sh   (from this folder)
set -eu
: "${GPG:=gpg}" "${AGENT:=gpg-agent}"
GNUPGHOME=$(mktemp -d); export GNUPGHOME
trap 'gpgconf --homedir "$GNUPGHOME" --kill gpg-agent 2>/dev/null || true; rm -rf "$GNUPGHOME"' EXIT
g() { "$GPG" --batch --yes --pinentry-mode loopback --agent-program "$AGENT" "$@"; }

"$GPG" --version | head -1 > gpg-version.txt

# Keys made as upstream 2.4 does (--compliance=gnupg: they advertise OCB). A v4 key (ed25519 + cv25519) and a v5 key (needs --compliance=gnupg), both passphrase-protected.
g --passphrase op-pass-24 --compliance=gnupg --quick-gen-key 'Operator 24 <op24@example.test>' default default never
g --passphrase v5-pass --compliance=gnupg --quick-gen-key 'Operator v5 <opv5@example.test>' ed25519/v5 default never
V5=$(g --with-colons --list-keys opv5@example.test | awk -F: '/^fpr/{print $10; exit}')
g --passphrase v5-pass --compliance=gnupg --quick-add-key "$V5" cv25519/v5 encr never

# Secret keys as exported (binary, still passphrase-protected), and public keys.
g --passphrase op-pass-24 --export-secret-keys op24@example.test > op24.sec.gpg
g --passphrase v5-pass --export-secret-keys opv5@example.test > opv5.sec.gpg
g --armor --export op24@example.test > op24.pub.asc
g --armor --export opv5@example.test > opv5.pub.asc

# Messages. Debian's 2.4 defaults to --compliance=openpgp (no OCB); upstream's default is gnupg (OCB).
g --compliance=openpgp -e -r op24@example.test -o openpgp-compliance.env.gpg bundle.env
g --compliance=gnupg -e -r op24@example.test -o ocb-pubkey.json.gpg bundle.json
g --force-ocb --armor -e -r op24@example.test -o ocb-pubkey.yaml.asc bundle.yaml
g --compliance=gnupg -e -r opv5@example.test -o v5-pubkey.json.gpg bundle.json
g --force-ocb --passphrase bundle-pass -c -o ocb-password.ini.gpg bundle.ini
g --force-ocb --passphrase op-pass-24 -u op24@example.test -s -e -r op24@example.test -o ocb-signed.json.gpg bundle.json
g --force-ocb --passphrase bundle-pass -c -e -r op24@example.test -o ocb-both.json.gpg bundle.json
g --passphrase op-pass-24 --show-session-key -d ocb-pubkey.json.gpg 2>&1 >/dev/null | sed -n 's/.*session key: .\(.*\).$/\1/p' > ocb-pubkey.json.session-key
