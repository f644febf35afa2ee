#!/usr/bin/env python3
"""Independent interop checks for Seamless envelopes (Docs/ENVELOPE.md).

A Seamless envelope is a JWS JSON Serialization (RFC 7515 section 7.2) whose payload is
base64url(zlib(canonical JSON)). This script checks envelopes made by the Swift code with
two other implementations (joserfc and `cryptography` directly) and makes envelopes the
Swift code must accept. It uses only the standard library, joserfc and cryptography.

Subcommands:
  kid     print the key id of a public key (first 16 bytes of SHA-256 over the SPKI DER)
  verify  verify an envelope in the Seamless order; print the payload as canonical JSON
  seal    make an envelope (Ed25519 or ES256) with joserfc
  tamper  change one base64url character of the payload, signature or protected header

Exit codes: 0 ok; 1 the envelope was refused (stderr: "<code>: <reason>", where <code> is
the Seamless error code); 2 usage error, or algorithm SM2-SM3 (not supported by this
script); 3 a file could not be read or a key could not be loaded.

Examples:
  jose_interop.py kid --public-key keys/test-civil-affairs-ed25519.pub.pem
  jose_interop.py seal --private-key k.key.pem --issuer gov.civil-affairs \\
      --audience gov.public-security --type seamless-request+jws --in payload.json > env.json
  jose_interop.py verify --envelope env.json --public-key k.pub.pem --expect-payload payload.json
  jose_interop.py tamper --envelope env.json --what payload | \\
      jose_interop.py verify --envelope - --public-key k.pub.pem   # exit 1, bad-signature
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import os
import re
import sys
import time
import warnings
import zlib
from dataclasses import dataclass
from typing import Any, NoReturn

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_UNSUPPORTED = 2
EXIT_IO = 3

KIB = 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Seamless defaults (Docs/ENVELOPE.md, "Limits and defaults")."""

    max_envelope_bytes: int = 16 * MIB
    max_header_bytes: int = 8 * KIB
    max_signatures: int = 8
    max_payload_bytes: int = 64 * MIB
    max_ratio: int = 200
    ratio_floor_bytes: int = 1 * MIB
    max_json_depth: int = 128  # inflated payload
    max_envelope_depth: int = 4  # the envelope JSON: {"signatures":[{...}]} needs 3
    max_header_depth: int = 8
    clock_skew_seconds: int = 60
    max_age_seconds: int = 300


DEFAULT_ALLOWED_ALGS = ("Ed25519", "EdDSA", "ES256", "SM2-SM3")
HEADER_MEMBERS = ("alg", "aud", "cty", "iat", "iss", "kid", "nonce", "typ")  # sorted
STRING_MEMBERS = ("alg", "aud", "cty", "iss", "kid", "nonce", "typ")
CONTENT_TYPE = "json+zlib"
TYP_PATTERN = re.compile(r"^seamless-[a-z0-9-]+\+jws$")
NODE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")
B64U_PATTERN = re.compile(r"^[A-Za-z0-9_-]*$")
B64U_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SM2_CURVE_OID_DER = bytes.fromhex("06082a811ccf5501822d")  # OID 1.2.156.10197.1.301
MAX_SAFE_INTEGER = 2**53  # JSON numbers are IEEE doubles; iat must be a whole number within +-2^53


class EnvelopeError(Exception):
    """A refusal with a Seamless error code (kebab-case) and a one-line reason."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class Unsupported(Exception):
    """Something this script deliberately does not implement (SM2-SM3)."""


class InputError(Exception):
    """A file that cannot be read or a key that cannot be loaded."""


# ---------------------------------------------------------------------------
# base64url (RFC 4648 section 5, no padding, canonical only)


def b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str, what: str) -> bytes:
    """Decode strictly: alphabet only, no padding, length not 1 mod 4, zero unused bits."""
    if not isinstance(text, str) or not B64U_PATTERN.match(text):
        raise EnvelopeError("bad-base64", f"{what} contains characters outside the base64url alphabet")
    if len(text) % 4 == 1:
        raise EnvelopeError("bad-base64", f"{what} has a length of 1 mod 4 ({len(text)} characters)")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64u_encode(data) != text:
        raise EnvelopeError("bad-base64", f"{what} is not canonical base64url (non-zero unused trailing bits)")
    return data


# ---------------------------------------------------------------------------
# strict JSON in, canonical JSON out (RFC 8259 in; RFC 8785 style out)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of the range of a double")
    return value


def _check_depth_and_strings(value: Any, max_depth: int) -> None:
    """Containers nest at most max_depth deep (the outermost counts as 1); no lone surrogates."""
    stack: list[tuple[Any, int]] = [(value, 1 if isinstance(value, (dict, list)) else 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise ValueError(f"nesting deeper than {max_depth}")
        if isinstance(item, dict):
            for key, child in item.items():
                _check_string(key)
                stack.append((child, depth + 1 if isinstance(child, (dict, list)) else depth))
        elif isinstance(item, list):
            for child in item:
                stack.append((child, depth + 1 if isinstance(child, (dict, list)) else depth))
        elif isinstance(item, str):
            _check_string(item)


def _check_string(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("string contains a lone surrogate escape") from None


def strict_json_loads(data: bytes, what: str, max_depth: int = Limits.max_json_depth) -> Any:
    """Parse RFC 8259 JSON strictly: UTF-8 without BOM, no duplicate keys, no NaN/Infinity."""
    try:
        text = data.decode("utf-8")  # strict: invalid UTF-8 raises
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
        _check_depth_and_strings(value, max_depth)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise EnvelopeError("bad-json", f"{what} is not valid JSON ({reason})") from None
    return value


def _es_number(value: float) -> str:
    """ECMAScript Number.prototype.toString for a finite double (RFC 8785 section 3.2.2.3)."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    # position of the decimal point relative to the first significant digit
    point = len(int_part.lstrip("0")) if int_part.lstrip("0") else -(len(frac_part) - len(frac_part.lstrip("0")))
    point += int(exponent) if exponent else 0
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exp = ("+" if e > 0 else "-") + str(abs(e))
    if k == 1:
        return sign + digits + "e" + exp
    return sign + digits[0] + "." + digits[1:] + "e" + exp


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _canonical_string(text: str) -> str:
    _check_string(text)
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _canonical(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        # JSON numbers are IEEE doubles (RFC 8785); integers beyond 2^53 are written as the nearest double
        out.append(str(value) if abs(value) < MAX_SAFE_INTEGER else _es_number(float(value)))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("NaN and Infinity have no JSON form")
        out.append(_es_number(value))
    elif isinstance(value, str):
        out.append(_canonical_string(value))
    elif isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _canonical(item, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        # RFC 8785: sort by UTF-16 code units; UTF-16BE byte order gives exactly that order
        for index, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))):
            if index:
                out.append(",")
            out.append(_canonical_string(key))
            out.append(":")
            _canonical(value[key], out)
        out.append("}")
    else:
        raise TypeError(f"{type(value).__name__} has no JSON form")


def canonical_json(value: Any) -> bytes:
    out: list[str] = []
    _canonical(value, out)
    return "".join(out).encode("utf-8")


# ---------------------------------------------------------------------------
# keys


@dataclass
class PublicKey:
    alg: str  # "Ed25519" | "ES256" | "SM2-SM3"
    kid: str
    spki_der: bytes
    key: Any  # cryptography public key, or None for SM2


@dataclass
class PrivateKey:
    alg: str
    kid: str
    key: Any  # cryptography private key
    jwk: Any  # joserfc key


def _read_bytes(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None


def kid_for_spki(spki_der: bytes) -> str:
    return b64u_encode(hashlib.sha256(spki_der).digest()[:16])


def _pem_body(pem: bytes, label: str) -> bytes | None:
    match = re.search(rb"-----BEGIN " + label.encode() + rb"-----(.*?)-----END " + label.encode() + rb"-----", pem, re.S)
    if not match:
        return None
    try:
        return base64.b64decode(b"".join(match.group(1).split()), validate=True)
    except ValueError:
        raise InputError(f"the {label} PEM block is not valid base64") from None


def _alg_for_public(key: Any, path: str) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise InputError(f"{path}: key type {type(key).__name__} is not used by Seamless")


def load_public_key(path: str) -> PublicKey:
    pem = _read_bytes(path)
    spki = _pem_body(pem, "PUBLIC KEY")
    if spki is None:
        # a PKCS#8 private key is accepted too; its public half is used
        private = load_private_key(path)
        public = private.key.public_key()
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return PublicKey(private.alg, kid_for_spki(der), der, public)
    try:
        key = serialization.load_der_public_key(spki)
    except UnsupportedAlgorithm:
        if SM2_CURVE_OID_DER in spki:
            return PublicKey("SM2-SM3", kid_for_spki(spki), spki, None)
        raise InputError(f"{path}: unsupported public key algorithm") from None
    except ValueError as error:
        raise InputError(f"{path}: not a SubjectPublicKeyInfo public key ({error})") from None
    return PublicKey(_alg_for_public(key, path), kid_for_spki(spki), spki, key)


def load_private_key(path: str) -> PrivateKey:
    pem = _read_bytes(path)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except UnsupportedAlgorithm:
        raise InputError(f"{path}: unsupported key algorithm (SM2 keys cannot be used by this script)") from None
    except (ValueError, TypeError) as error:
        raise InputError(f"{path}: not an unencrypted PKCS#8 private key ({error})") from None
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    alg = _alg_for_public(key.public_key(), path)
    jwk = OKPKey.import_key(pem) if alg == "Ed25519" else ECKey.import_key(pem)
    return PrivateKey(alg, kid_for_spki(der), key, jwk)


# ---------------------------------------------------------------------------
# joserfc registry: Seamless headers, Seamless limits, unknown members ignored


def _whole_number(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise ValueError("must be a whole number")


def make_registry(algorithms: list[str], limits: Limits) -> JWSRegistry:
    registry = JWSRegistry(
        header_registry={
            "iat": HeaderParameter("Issued at (seconds since the epoch)", _whole_number, True),
            "nonce": HeaderParameter("16 random bytes, base64url", "str", True),
            "iss": HeaderParameter("Issuer node id", "str", True),
            "aud": HeaderParameter("Audience node id", "str", True),
        },
        algorithms=algorithms,
        strict_check_header=False,
    )
    # joserfc's defaults (512-byte header, 128 kB payload) are far below Seamless's limits.
    registry.max_header_length = (limits.max_header_bytes * 4 + 2) // 3 + 4
    registry.max_payload_length = limits.max_envelope_bytes
    return registry


# ---------------------------------------------------------------------------
# verification, in the order of Docs/ENVELOPE.md "Verification"


@dataclass
class Entry:
    protected_b64: str
    signature_b64: str
    header: dict[str, Any]
    signature: bytes


def _envelope_entries(envelope: Any, limits: Limits) -> tuple[str, list[tuple[str, str]]]:
    """Check the outer shape; return the payload member and (protected, signature) pairs."""
    if not isinstance(envelope, dict):
        raise EnvelopeError("malformed", "the envelope is not a JSON object")
    if "header" in envelope:
        raise EnvelopeError("malformed", "unprotected 'header' member is not allowed")
    if "signatures" in envelope:
        unknown = set(envelope) - {"payload", "signatures"}
        if unknown:
            raise EnvelopeError("malformed", f"unknown member(s) {sorted(unknown)} in a general-form envelope")
        signatures = envelope["signatures"]
        if not isinstance(signatures, list) or not 1 <= len(signatures) <= limits.max_signatures:
            raise EnvelopeError("malformed", f"'signatures' must be an array of 1 to {limits.max_signatures} objects")
        pairs = []
        for index, item in enumerate(signatures):
            if not isinstance(item, dict):
                raise EnvelopeError("malformed", f"signatures[{index}] is not an object")
            if "header" in item:
                raise EnvelopeError("malformed", f"signatures[{index}] has an unprotected 'header' member")
            unknown = set(item) - {"protected", "signature"}
            if unknown:
                raise EnvelopeError("malformed", f"unknown member(s) {sorted(unknown)} in signatures[{index}]")
            pairs.append((item.get("protected"), item.get("signature"), f"signatures[{index}]"))
    else:
        unknown = set(envelope) - {"payload", "protected", "signature"}
        if unknown:
            raise EnvelopeError("malformed", f"unknown member(s) {sorted(unknown)} in the envelope")
        pairs = [(envelope.get("protected"), envelope.get("signature"), "envelope")]
    payload = envelope.get("payload")
    if not isinstance(payload, str):
        raise EnvelopeError("malformed", "'payload' is missing or not a string")
    checked = []
    for protected, signature, where in pairs:
        if not isinstance(protected, str):
            raise EnvelopeError("malformed", f"'protected' is missing or not a string in {where}")
        if not isinstance(signature, str):
            raise EnvelopeError("malformed", f"'signature' is missing or not a string in {where}")
        checked.append((protected, signature))
    return payload, checked


def check_header_structure(header: Any, where: str) -> None:
    """Pre-signature header checks; every failure is 'malformed'."""
    if not isinstance(header, dict):
        raise EnvelopeError("malformed", f"the protected header of {where} is not a JSON object")
    if "crit" in header:
        raise EnvelopeError("malformed", f"the protected header of {where} has 'crit'; Seamless understands no extensions")
    for name in HEADER_MEMBERS:
        if name not in header:
            raise EnvelopeError("malformed", f"the protected header of {where} has no '{name}'")
    for name in STRING_MEMBERS:
        if not isinstance(header[name], str):
            raise EnvelopeError("malformed", f"'{name}' in the protected header of {where} is not a string")
    iat = header["iat"]
    if (
        isinstance(iat, bool)
        or not isinstance(iat, (int, float))
        or (isinstance(iat, float) and not iat.is_integer())
        or abs(iat) > MAX_SAFE_INTEGER
    ):
        raise EnvelopeError("malformed", f"'iat' in the protected header of {where} is not a whole number of seconds")
    header["iat"] = int(iat)  # 1.0 and 1e9 are whole numbers too; Seamless writes plain digits


def is_seamless_form(header: dict[str, Any]) -> bool:
    """Whether a structurally valid header also has every value in the form Seamless writes (the schema)."""
    return (
        header["alg"] in ("Ed25519", "EdDSA", "ES256", "SM2-SM3")
        and bool(re.fullmatch(r"[A-Za-z0-9_-]{21}[AQgw]", header["kid"]))
        and bool(re.fullmatch(r"[A-Za-z0-9_-]{21}[AQgw]", header["nonce"]))
        and bool(TYP_PATTERN.match(header["typ"])) and len(header["typ"]) <= 64
        and header["cty"] == CONTENT_TYPE
        and bool(NODE_ID_PATTERN.match(header["iss"])) and bool(NODE_ID_PATTERN.match(header["aud"]))
        and isinstance(header["iat"], int) and header["iat"] >= 0
    )


def decode_header(protected_b64: str, where: str, allowed_algs: set[str], limits: Limits) -> dict[str, Any]:
    """Steps 4a-4e of Docs/ENVELOPE.md section 8 for one signature entry."""
    max_text = (limits.max_header_bytes * 4 + 2) // 3  # unpadded base64url length of the largest header
    if len(protected_b64) > max_text:
        raise EnvelopeError("too-large", f"the protected header of {where} is larger than {limits.max_header_bytes} bytes")
    header_bytes = b64u_decode(protected_b64, f"'protected' of {where}")
    header = strict_json_loads(header_bytes, f"the protected header of {where}", limits.max_header_depth)
    alg = header.get("alg") if isinstance(header, dict) else None
    if not isinstance(alg, str):
        raise EnvelopeError("malformed", f"the protected header of {where} has no 'alg' string")
    if alg not in allowed_algs:
        raise EnvelopeError("algorithm-not-allowed", f"alg {alg!r} in {where} is not in the allow-list")
    check_header_structure(header, where)
    return header


def normalized_alg(alg: str) -> str:
    return "Ed25519" if alg == "EdDSA" else alg


def verify_with_joserfc(payload_b64: str, entry: Entry, key: PublicKey, registry: JWSRegistry) -> bool:
    pem = key.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    jwk = OKPKey.import_key(pem) if key.alg == "Ed25519" else ECKey.import_key(pem)
    flattened = {"payload": payload_b64, "protected": entry.protected_b64, "signature": entry.signature_b64}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "EdDSA is deprecated via RFC 9864" is expected for alg EdDSA
        try:
            jws.deserialize_json(flattened, jwk, registry=registry)
            return True
        except jws.BadSignatureError:
            return False
        except (JoseError, ValueError) as error:
            raise EnvelopeError("bad-signature", f"joserfc refused the signature ({type(error).__name__}: {error})") from None


def verify_with_cryptography(payload_b64: str, entry: Entry, key: PublicKey) -> bool:
    signing_input = (entry.protected_b64 + "." + payload_b64).encode("ascii")
    if len(entry.signature) != 64:
        return False
    try:
        if key.alg == "Ed25519":
            key.key.verify(entry.signature, signing_input)
        else:
            r = int.from_bytes(entry.signature[:32], "big")
            s = int.from_bytes(entry.signature[32:], "big")
            key.key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def inflate(data: bytes, limits: Limits) -> bytes:
    """zlib (RFC 1950) with a size cap and a ratio cap; the whole input must be one stream.

    As in Seamless, the ratio is output so far over input consumed so far, checked as output is
    produced once it exceeds the floor; the size cap is checked on the output so far.
    """
    inflater = zlib.decompressobj(wbits=15)
    out = bytearray()
    pending = data
    chunk_size = 256 * KIB
    try:
        while True:
            room = limits.max_payload_bytes + 1 - len(out)  # one byte past the cap proves the stream is too large
            chunk = inflater.decompress(pending, min(room, chunk_size))
            pending = inflater.unconsumed_tail
            out += chunk
            consumed = len(data) - len(pending) - len(inflater.unused_data)
            if len(out) > limits.ratio_floor_bytes and len(out) > limits.max_ratio * consumed:
                raise EnvelopeError(
                    "inflate-ratio-exceeded",
                    f"{consumed} compressed bytes inflated to {len(out)}, more than {limits.max_ratio} times",
                )
            if len(out) > limits.max_payload_bytes:
                raise EnvelopeError("payload-too-large", f"the inflated payload exceeds {limits.max_payload_bytes} bytes")
            if inflater.eof or (not chunk and not pending):
                break
    except zlib.error as error:
        raise EnvelopeError("corrupt-payload", f"the zlib stream is corrupt ({error})") from None
    if not inflater.eof:
        raise EnvelopeError("corrupt-payload", "the zlib stream is truncated")
    if inflater.unused_data:
        raise EnvelopeError("corrupt-payload", f"{len(inflater.unused_data)} bytes of trailing data after the zlib stream")
    return bytes(out)


@dataclass
class VerifyOptions:
    allowed_algs: set[str]
    limits: Limits
    expect_type: str | None = None
    expect_issuer: str | None = None
    expect_audience: str | None = None
    now: int | None = None


def verify_envelope(raw: bytes, keys: list[PublicKey], options: VerifyOptions) -> tuple[dict[str, Any], Any]:
    """Return (header of the checked signature, payload). Raise EnvelopeError or Unsupported."""
    limits = options.limits
    if len(raw) > limits.max_envelope_bytes:
        raise EnvelopeError("too-large", f"the envelope is {len(raw)} bytes, over {limits.max_envelope_bytes}")
    envelope = strict_json_loads(raw, "the envelope", limits.max_envelope_depth)
    payload_b64, pairs = _envelope_entries(envelope, limits)

    # The first entry whose kid is trusted is checked. Entries before it must pass steps 4a-4e;
    # entries after it are not looked at.
    trusted = {key.kid: key for key in keys}
    first_unknown: EnvelopeError | None = None
    chosen: tuple[dict[str, Any], str, str] | None = None
    for index, (protected_b64, signature_b64) in enumerate(pairs):
        where = "the envelope" if len(pairs) == 1 else f"signatures[{index}]"
        header = decode_header(protected_b64, where, options.allowed_algs, limits)
        if header["kid"] not in trusted:
            unknown = EnvelopeError("unknown-key-id", f"no trusted key has kid {header['kid']!r} ({where})")
            if len(pairs) == 1:
                raise unknown
            first_unknown = first_unknown or unknown
            continue
        chosen = (header, protected_b64, signature_b64)
        break
    if chosen is None:
        assert first_unknown is not None
        raise first_unknown
    header, protected_b64, signature_b64 = chosen
    key = trusted[header["kid"]]
    alg = normalized_alg(header["alg"])
    if alg != key.alg:
        raise EnvelopeError("algorithm-mismatch", f"alg {header['alg']!r} but key {key.kid} is an {key.alg} key")
    signature = b64u_decode(signature_b64, "'signature'")
    if alg == "SM2-SM3":
        raise Unsupported("alg SM2-SM3 is not supported here (joserfc has no SM2); see Docs/ENVELOPE.md for openssl")
    entry = Entry(protected_b64, signature_b64, header, signature)

    registry = make_registry(["Ed25519", "EdDSA", "ES256"], limits)
    by_cryptography = verify_with_cryptography(payload_b64, entry, key)
    try:
        b64u_decode(payload_b64, "'payload'")
        payload_decodable = True
    except EnvelopeError:
        payload_decodable = False
    if payload_decodable:
        by_joserfc = verify_with_joserfc(payload_b64, entry, key, registry)
    else:
        # joserfc decodes the payload before it verifies; Seamless verifies first and then reports
        # bad-base64, so here only the direct check can judge the signature.
        by_joserfc = by_cryptography
    if by_joserfc != by_cryptography:
        raise EnvelopeError(
            "interop-disagreement",
            f"joserfc says {'valid' if by_joserfc else 'invalid'}, cryptography says {'valid' if by_cryptography else 'invalid'}",
        )
    if not by_joserfc:
        raise EnvelopeError("bad-signature", f"the signature by key {key.kid} does not verify")

    if header["cty"] != CONTENT_TYPE:
        raise EnvelopeError("unsupported-content-type", f"cty is {header['cty']!r}, not {CONTENT_TYPE!r}")
    if options.expect_type is not None:
        if header["typ"] != options.expect_type:
            raise EnvelopeError("wrong-type", f"typ is {header['typ']!r}, expected {options.expect_type!r}")
    elif not TYP_PATTERN.match(header["typ"]) or len(header["typ"]) > 64:
        raise EnvelopeError("wrong-type", f"typ {header['typ']!r} is not a Seamless type")
    if options.expect_issuer is not None and header["iss"] != options.expect_issuer:
        raise EnvelopeError("issuer-mismatch", f"iss is {header['iss']!r}, the key is bound to {options.expect_issuer!r}")
    if options.expect_audience is not None and header["aud"] != options.expect_audience:
        raise EnvelopeError("wrong-audience", f"aud is {header['aud']!r}, this node is {options.expect_audience!r}")
    if options.now is not None:
        if header["iat"] > options.now + limits.clock_skew_seconds:
            raise EnvelopeError("not-yet-valid", f"iat {header['iat']} is more than {limits.clock_skew_seconds} s after {options.now}")
        if options.now - header["iat"] > limits.max_age_seconds:
            raise EnvelopeError("too-old", f"iat {header['iat']} is more than {limits.max_age_seconds} s before {options.now}")

    compressed = b64u_decode(payload_b64, "'payload'")
    payload_bytes = inflate(compressed, limits)
    payload = strict_json_loads(payload_bytes, "the inflated payload", limits.max_json_depth)
    return header, payload


# ---------------------------------------------------------------------------
# sealing


def seal_envelope(
    keys: list[PrivateKey], issuer: str, audience: str, typ: str, payload: Any, iat: int, general: bool
) -> dict[str, Any]:
    compressed = zlib.compress(canonical_json(payload))
    nonce = b64u_encode(os.urandom(16))  # one nonce per envelope, shared by all its signatures
    members = []
    for key in keys:
        header = {  # keys in sorted order, so joserfc's compact dump is the canonical form
            "alg": key.alg,
            "aud": audience,
            "cty": CONTENT_TYPE,
            "iat": iat,
            "iss": issuer,
            "kid": key.kid,
            "nonce": nonce,
            "typ": typ,
        }
        members.append({"protected": header})
    by_kid = {key.kid: key.jwk for key in keys}
    registry = make_registry(["Ed25519", "ES256"], Limits())

    def find_key(member: Any) -> Any:
        return by_kid[member.headers()["kid"]]

    if general:
        envelope = dict(jws.serialize_json(members, compressed, find_key, registry=registry))
        entries = envelope["signatures"]
    else:
        envelope = dict(jws.serialize_json(members[0], compressed, find_key, registry=registry))
        entries = [envelope]
    for entry, member in zip(entries, members):
        if entry["protected"] != b64u_encode(canonical_json(member["protected"])):
            raise RuntimeError("joserfc did not write the protected header in canonical form")
        if "header" in entry:
            raise RuntimeError("joserfc wrote an unprotected header")
    return envelope


def envelope_text(envelope: Any) -> str:
    return canonical_json(envelope).decode("utf-8") + "\n"


# ---------------------------------------------------------------------------
# tampering (for negative tests)


def _replace(text: str, index: int, char: str) -> str:
    return text[:index] + char + text[index + 1:]


def _next_char(char: str) -> str:
    return B64U_ALPHABET[(B64U_ALPHABET.index(char) + 1) % 64]


def tamper_middle(text: str) -> str:
    """Change the middle character: any character but the last stays canonical when replaced."""
    if len(text) < 2:
        raise ValueError("member too short to tamper with")
    index = (len(text) - 1) // 2
    return _replace(text, index, _next_char(text[index]))


def tamper_header(text: str) -> str:
    """Change one character so the header still passes every pre-signature check with the same alg and kid."""
    original = json.loads(b64u_decode(text, "'protected'"))
    middle = (len(text) - 1) // 2
    order = sorted(range(len(text) - 1), key=lambda i: (abs(i - middle), i))
    for index in order:
        for char in B64U_ALPHABET:
            if char == text[index]:
                continue
            candidate = _replace(text, index, char)
            try:
                header = strict_json_loads(b64u_decode(candidate, "candidate"), "candidate")
                check_header_structure(header, "candidate")
            except EnvelopeError:
                continue
            if not is_seamless_form(header):  # so every implementation gets as far as the signature
                continue
            if header["alg"] == original["alg"] and header["kid"] == original["kid"] and header != original:
                return candidate
    raise ValueError("no single-character change keeps the header well-formed")


def tamper_envelope(envelope: dict[str, Any], what: str, index: int = 0) -> dict[str, Any]:
    result = json.loads(json.dumps(envelope))
    target = result["signatures"][index] if "signatures" in result else result
    if what == "payload":
        result["payload"] = tamper_middle(result["payload"])
    elif what == "signature":
        target["signature"] = tamper_middle(target["signature"])
    else:
        target["protected"] = tamper_header(target["protected"])
    return result


# ---------------------------------------------------------------------------
# command line


def fail(code: str, reason: str) -> NoReturn:
    print(f"{code}: {reason}", file=sys.stderr)
    sys.exit(EXIT_REFUSED)


def command_kid(args: argparse.Namespace) -> int:
    print(load_public_key(args.public_key).kid)
    return EXIT_OK


def command_verify(args: argparse.Namespace) -> int:
    keys = [load_public_key(path) for path in args.public_key]
    raw = _read_bytes(args.envelope)
    expected = None
    if args.expect_payload:
        expected_raw = _read_bytes(args.expect_payload)
        try:
            expected = strict_json_loads(expected_raw, args.expect_payload)
        except EnvelopeError as error:
            raise InputError(error.reason) from None
    limits = Limits(max_envelope_bytes=args.max_envelope_bytes, max_payload_bytes=args.max_payload_bytes)
    options = VerifyOptions(
        allowed_algs=set(args.allowed_algs.split(",")),
        limits=limits,
        expect_type=args.expect_type,
        expect_issuer=args.expect_issuer,
        expect_audience=args.expect_audience,
        now=args.now,
    )
    try:
        header, payload = verify_envelope(raw, keys, options)
    except EnvelopeError as error:
        fail(error.code, error.reason)
    # compared as canonical JSON: Python's == would take true for 1
    if expected is not None and canonical_json(payload) != canonical_json(expected):
        fail("payload-mismatch", f"the payload differs from {args.expect_payload}")
    sys.stdout.write(canonical_json(payload).decode("utf-8") + "\n")
    if args.verbose:
        print(f"ok: {header['alg']} kid {header['kid']} typ {header['typ']} iss {header['iss']} aud {header['aud']}", file=sys.stderr)
    return EXIT_OK


def command_seal(args: argparse.Namespace) -> int:
    if len(args.private_key) > 1 and not args.general:
        print("usage error: several --private-key need --general", file=sys.stderr)
        return EXIT_UNSUPPORTED
    for name, value, pattern in (
        ("--issuer", args.issuer, NODE_ID_PATTERN),
        ("--audience", args.audience, NODE_ID_PATTERN),
        ("--type", args.type, TYP_PATTERN),
    ):
        if not pattern.match(value):
            print(f"usage error: {name} {value!r} does not match {pattern.pattern}", file=sys.stderr)
            return EXIT_UNSUPPORTED
    keys = [load_private_key(path) for path in args.private_key]
    raw = _read_bytes(args.input)
    try:
        payload = strict_json_loads(raw, args.input)
    except EnvelopeError as error:
        raise InputError(error.reason) from None
    iat = args.iat if args.iat is not None else int(time.time())
    envelope = seal_envelope(keys, args.issuer, args.audience, args.type, payload, iat, args.general)
    sys.stdout.write(envelope_text(envelope))
    return EXIT_OK


def command_tamper(args: argparse.Namespace) -> int:
    raw = _read_bytes(args.envelope)
    try:
        envelope = strict_json_loads(raw, args.envelope)
        if not isinstance(envelope, dict) or "payload" not in envelope:
            raise InputError(f"{args.envelope} is not a JWS JSON envelope")
        tampered = tamper_envelope(envelope, args.what, args.index)
    except (EnvelopeError, KeyError, IndexError, TypeError, ValueError) as error:
        raise InputError(f"cannot tamper with {args.envelope}: {error}") from None
    sys.stdout.write(envelope_text(tampered))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Independent interop checks for Seamless envelopes (see Docs/ENVELOPE.md).",
        epilog="Exit codes: 0 ok, 1 refused (stderr '<code>: <reason>'), 2 usage or SM2-SM3, 3 file/key error.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_kid = sub.add_parser("kid", help="print the kid of a public key",
                           epilog="example: jose_interop.py kid --public-key node.pub.pem")
    p_kid.add_argument("--public-key", required=True, metavar="PEM", help="SPKI public key PEM (or PKCS#8 private key)")
    p_kid.set_defaults(func=command_kid)

    p_verify = sub.add_parser(
        "verify", help="verify an envelope and print its payload as canonical JSON",
        epilog="example: jose_interop.py verify --envelope env.json --public-key node.pub.pem "
               "--expect-payload payload.json",
    )
    p_verify.add_argument("--envelope", required=True, metavar="FILE", help="envelope file, or - for stdin")
    p_verify.add_argument("--public-key", required=True, action="append", metavar="PEM",
                          help="trusted public key; repeat for several (the first signature with a trusted kid is checked)")
    p_verify.add_argument("--expect-payload", metavar="FILE", help="JSON file the payload must equal")
    p_verify.add_argument("--expect-type", metavar="TYP", help="required typ (default: any seamless-*+jws)")
    p_verify.add_argument("--expect-issuer", metavar="ID", help="node id the key is bound to (iss must equal it)")
    p_verify.add_argument("--expect-audience", metavar="ID", help="node id of the opener (aud must equal it)")
    p_verify.add_argument("--now", type=int, metavar="N",
                          help="check iat against this Unix time (skew 60 s, max age 300 s); default: no time check")
    p_verify.add_argument("--allowed-algs", default=",".join(DEFAULT_ALLOWED_ALGS), metavar="LIST",
                          help="comma-separated alg allow-list (default: %(default)s)")
    p_verify.add_argument("--max-envelope-bytes", type=int, default=Limits.max_envelope_bytes, metavar="N")
    p_verify.add_argument("--max-payload-bytes", type=int, default=Limits.max_payload_bytes, metavar="N")
    p_verify.add_argument("-v", "--verbose", action="store_true", help="print a summary line on stderr")
    p_verify.set_defaults(func=command_verify)

    p_seal = sub.add_parser(
        "seal", help="make an envelope (Ed25519 or ES256 key)",
        epilog="example: jose_interop.py seal --private-key node.key.pem --issuer gov.civil-affairs "
               "--audience gov.public-security --type seamless-request+jws --in request.json",
    )
    p_seal.add_argument("--private-key", required=True, action="append", metavar="PEM",
                        help="PKCS#8 private key (Ed25519 -> alg Ed25519, P-256 -> ES256); repeat with --general")
    p_seal.add_argument("--issuer", required=True, metavar="ID")
    p_seal.add_argument("--audience", required=True, metavar="ID")
    p_seal.add_argument("--type", required=True, metavar="TYP", help="e.g. seamless-request+jws")
    p_seal.add_argument("--in", dest="input", default="-", metavar="FILE", help="payload JSON (default: stdin)")
    p_seal.add_argument("--iat", type=int, metavar="N", help="issued-at, Unix seconds (default: now)")
    p_seal.add_argument("--general", action="store_true", help="write the general form (signatures array)")
    p_seal.set_defaults(func=command_seal)

    p_tamper = sub.add_parser(
        "tamper", help="print a copy with one base64url character changed",
        epilog="payload and signature: the middle character; header: the character nearest the middle whose "
               "change keeps the header well-formed with the same alg and kid. Each makes verification fail "
               "with bad-signature. General form: signature entry --index (default 0) is changed.",
    )
    p_tamper.add_argument("--envelope", required=True, metavar="FILE", help="envelope file, or - for stdin")
    p_tamper.add_argument("--what", required=True, choices=["payload", "signature", "header"])
    p_tamper.add_argument("--index", type=int, default=0, metavar="N",
                          help="general form: which signatures entry to change for signature/header (default 0)")
    p_tamper.set_defaults(func=command_tamper)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Unsupported as error:
        print(f"unsupported: {error}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_IO


if __name__ == "__main__":
    sys.exit(main())
