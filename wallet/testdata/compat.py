"""Independent side of wallet's keyfile compatibility test (compat_test.go).

Run with Debian's python3 and PyNaCl (python3-nacl): libsodium's Argon2i and secretbox,
as Bittensor's Python wallet used them. Usage: compat.py DIR LEGACY_ITERATIONS

Reads DIR/password and DIR/plain.json. Decrypts DIR/go_nacl (written by Go) into
DIR/go_nacl.plain, and writes DIR/py_nacl. When python3-cryptography is present it also
writes DIR/py_fernet (the old wallet's legacy Fernet format, with LEGACY_ITERATIONS PBKDF2
rounds) and DIR/py_vault (Ansible Vault 1.1 AES256). Prints a JSON summary.
"""
import base64
import binascii
import json
import os
import sys

import nacl.pwhash
import nacl.secret
import nacl.utils

SALT = b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1"
LEGACY_SALT = b"Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins"


def nacl_key(password):
    return nacl.pwhash.argon2i.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        password,
        SALT,
        opslimit=nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE,
        memlimit=nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE,
    )


def main():
    d, iterations = sys.argv[1], int(sys.argv[2])
    password = open(os.path.join(d, "password"), "rb").read()
    plain = open(os.path.join(d, "plain.json"), "rb").read()
    key = nacl_key(password)
    box = nacl.secret.SecretBox(key)

    data = open(os.path.join(d, "go_nacl"), "rb").read()
    assert data.startswith(b"$NACL"), "no $NACL prefix"
    open(os.path.join(d, "go_nacl.plain"), "wb").write(box.decrypt(data[5:]))

    open(os.path.join(d, "py_nacl"), "wb").write(b"$NACL" + box.encrypt(plain))

    summary = {"nacl": True, "fernet": False, "vault": False}
    try:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives import hashes, hmac, padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    except ImportError:
        print(json.dumps(summary))
        return

    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=LEGACY_SALT, iterations=iterations)
    fkey = base64.urlsafe_b64encode(kdf.derive(password))
    open(os.path.join(d, "py_fernet"), "wb").write(Fernet(fkey).encrypt(plain))
    summary["fernet"] = True

    vsalt = os.urandom(32)
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=80, salt=vsalt, iterations=10000)
    k = kdf.derive(password)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(k[:32]), modes.CTR(k[64:80])).encryptor()
    ct = enc.update(padded) + enc.finalize()
    mac = hmac.HMAC(k[32:64], hashes.SHA256())
    mac.update(ct)
    inner = b"\n".join([binascii.hexlify(vsalt), binascii.hexlify(mac.finalize()), binascii.hexlify(ct)])
    outer = binascii.hexlify(inner).decode()
    lines = [outer[i : i + 80] for i in range(0, len(outer), 80)]
    open(os.path.join(d, "py_vault"), "w").write("$ANSIBLE_VAULT;1.1;AES256\n" + "\n".join(lines) + "\n")
    summary["vault"] = True
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
