#!/usr/bin/env python3
"""Writes google-migration.txt: a made-up Google Authenticator export.

The protobuf is encoded by hand from the published MigrationPayload layout
(not with Tessera's own encoder), so the importer is checked against an
independent writer. The export has 3 batches; batch 2 is left out on
purpose, so the importer must say it is missing. The accounts are made up.
"""
import base64
import pathlib
import urllib.parse


def varint(n):
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out += bytes([low | 0x80])
        else:
            return out + bytes([low])


def field_bytes(tag, data):
    return bytes([tag << 3 | 2]) + varint(len(data)) + data


def field_int(tag, n):
    return bytes([tag << 3]) + varint(n)


# OtpParameters: secret=1, name=2, issuer=3, algorithm=4 (1 SHA1, 2 SHA256,
# 3 SHA512, 4 MD5), digits=5 (1 six, 2 eight), type=6 (1 HOTP, 2 TOTP),
# counter=7.
def account(secret, name, issuer, algorithm=1, digits=1, kind=2, counter=0):
    data = field_bytes(1, secret) + field_bytes(2, name.encode()) + field_bytes(3, issuer.encode())
    data += field_int(4, algorithm) + field_int(5, digits) + field_int(6, kind)
    if counter:
        data += field_int(7, counter)
    return data


# MigrationPayload: otp_parameters=1, version=2, batch_size=3,
# batch_index=4 (from 0), batch_id=5.
def batch(accounts, index, size=3, batch_id=1234567):
    data = b"".join(field_bytes(1, a) for a in accounts)
    data += field_int(2, 1) + field_int(3, size) + field_int(4, index) + field_int(5, batch_id)
    encoded = base64.b64encode(data).decode()
    return "otpauth-migration://offline?data=" + urllib.parse.quote(encoded, safe="")


RFC_KEY = b"12345678901234567890"
SHA512_KEY = (b"1234567890" * 7)[:64]
DEMO_KEY = b"Hello!\xde\xad\xbe\xef"  # JBSWY3DPEHPK3PXP, an 80-bit secret

lines = [
    batch(
        [
            account(DEMO_KEY, "GitHub:alice@example.com", "GitHub"),
            account(RFC_KEY, "RFC 4226:hotp@example.com", "RFC 4226", kind=1, counter=3),
        ],
        index=0,
    ),
    # batch index 1 (the second of three) is missing on purpose
    batch(
        [
            account(SHA512_KEY, "carol", "Big", algorithm=3, digits=2),
            account(b"abcdefghij", "Old:md5", "Old", algorithm=4),
        ],
        index=2,
    ),
]
out = pathlib.Path(__file__).with_name("google-migration.txt")
out.write_text("\n".join(lines) + "\n")
