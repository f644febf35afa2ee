import Foundation
import SeamlessCrypto
import SeamlessTestSupport
import Testing

@testable import Seamless

@Suite("Envelopes")
struct EnvelopeTests {
    @Test("seal then open returns the canonical payload and the header", arguments: SignatureAlgorithm.allCases)
    func roundTrip(algorithm: SignatureAlgorithm) throws {
        let fixture = try EnvelopeFixture(algorithm)
        let sealed = try fixture.sealer.seal(
            EnvelopeFixture.payload, type: .request, audience: EnvelopeFixture.receiver)
        let opened = try fixture.opener.open(sealed.bytes)
        #expect(opened.payload == CanonicalJSON.serialize(EnvelopeFixture.payload))
        #expect(try opened.json() == EnvelopeFixture.payload)
        #expect(opened.header == sealed.header)
        #expect(opened.header.algorithm == algorithm)
        #expect(opened.header.issuer == EnvelopeFixture.sender)
        #expect(opened.header.audience == EnvelopeFixture.receiver)
        #expect(opened.header.nonce.utf8.count == 22)
        #expect(opened.signer.publicKey == fixture.key.publicKey)
    }

    @Test("the envelope is canonical flattened JWS JSON and the payload is zlib of the canonical JSON")
    func wireForm() throws {
        let fixture = try EnvelopeFixture()
        let envelope = try fixture.seal()
        #expect(try CanonicalJSON.canonicalize(envelope) == envelope)
        let members = try EnvelopeFixture.members(envelope)
        #expect(Set(members.keys) == ["payload", "protected", "signature"])
        let header = try JSONParser().parse(try Base64URL.decode(members["protected"]!))
        #expect(header["cty"] == "json+zlib")
        #expect(header["typ"] == "seamless-request+jws")
        #expect(header.objectValue?.count == 8)
        let inflated = try Zlib.decompress(try Base64URL.decode(members["payload"]!))
        #expect(inflated == CanonicalJSON.serialize(EnvelopeFixture.payload))
    }

    @Test("two seals of the same message get different nonces")
    func freshNonces() throws {
        let fixture = try EnvelopeFixture()
        let a = try fixture.sealer.seal(EnvelopeFixture.payload, type: .request, audience: EnvelopeFixture.receiver)
        let b = try fixture.sealer.seal(EnvelopeFixture.payload, type: .request, audience: EnvelopeFixture.receiver)
        #expect(a.header.nonce != b.header.nonce)
    }

    @Test("pretty-printed and JSON-escaped envelopes open exactly like the canonical one")
    func equivalentSpellings() throws {
        let fixture = try EnvelopeFixture()
        let envelope = try fixture.seal()
        let members = try EnvelopeFixture.members(envelope)
        let pretty = """
            {
              "signature" : "\(members["signature"]!)",
              "protected" : "\(members["protected"]!)",
              "payload" : "\(members["payload"]!)"
            }

            """
        let scanned = Array(pretty.utf8).withUnsafeBytes { EnvelopeLayout.scan($0) != nil }
        #expect(scanned, "the fast path takes it")
        // "\u0065" is "e": the same strings, spelled with JSON escapes, which only the strict parser reads.
        let escaped = String(decoding: envelope, as: UTF8.self).replacingOccurrences(of: "e", with: "\\u0065")
        #expect(escaped != String(decoding: envelope, as: UTF8.self))
        for variant in [pretty, escaped] {
            let opened = try fixture.opener.open(Array(variant.utf8))
            #expect(try opened.json() == EnvelopeFixture.payload)
        }
    }

    @Test("the word-at-a-time scan agrees with a byte-by-byte check")
    func plainWordScan() {
        var generator = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [
            0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xFF, 0x41, 0x5F, 0x2D,
        ]
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in
                Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            let expected = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            #expect(JSONBytes.isPlain(word) == expected, "\(bytes)")
        }
    }

    @Test("a general-form envelope opens by whichever signature is trusted")
    func generalForm() throws {
        let fixture = try EnvelopeFixture()
        let stranger = try PrivateKey.generate(.es256)
        let header = fixture.header()
        let compressed = try Zlib.compress(CanonicalJSON.serialize(EnvelopeFixture.payload))
        let payload = Base64URL.encode(compressed)
        func entry(_ key: PrivateKey) throws -> JSONValue {
            var h = header
            h["kid"] = .string(key.kid)
            h["alg"] = .string(key.algorithm.jwsName)
            let protected = Base64URL.encode(CanonicalJSON.serialize(.object(h)))
            return [
                "protected": .string(protected),
                "signature": .string(Base64URL.encode(try key.signature(for: Array((protected + "." + payload).utf8)))),
            ]
        }
        let general = CanonicalJSON.serialize([
            "payload": .string(payload), "signatures": [try entry(stranger), try entry(fixture.key)],
        ])
        #expect(try fixture.opener.open(general).signer.publicKey == fixture.key.publicKey)
        let onlyStranger = CanonicalJSON.serialize(["payload": .string(payload), "signatures": [try entry(stranger)]])
        #expect(fixture.opener.refusal(onlyStranger) == .unknownKeyID)
        let nine = CanonicalJSON.serialize([
            "payload": .string(payload), "signatures": .array(Array(repeating: try entry(fixture.key), count: 9)),
        ])
        #expect(fixture.opener.refusal(nine) == .malformed)
    }

    @Test("every refusal has its own code", arguments: RefusalCase.all)
    func refusals(refusal: RefusalCase) throws {
        let fixture = try EnvelopeFixture(refusal.algorithm)
        let (envelope, opener) = try refusal.make(fixture)
        let error = #expect(throws: EnvelopeError.self) { try opener.open(envelope) }
        #expect(error?.code == refusal.code, "\(refusal.name): \(String(describing: error))")
        #expect((error?.reason.count ?? 0) > 20, "a sentence, not a code: \(String(describing: error))")
    }

    @Test("an envelope whose payload inflates to 1 GiB is refused after a bounded amount of inflation")
    func refusesZipBomb() throws {
        let fixture = try EnvelopeFixture()
        let bomb = try zipBomb(mebibytes: 1024)
        let envelope = try fixture.forge(header: fixture.header(), compressedPayload: bomb)
        let error = #expect(throws: EnvelopeError.self) { try fixture.opener.open(envelope) }
        #expect(error?.code == .inflateRatioExceeded)
        var noRatio = fixture.opener
        noRatio.limits.inflate.maxRatio = 1 << 40
        let sizeError = #expect(throws: EnvelopeError.self) { try noRatio.open(envelope) }
        #expect(sizeError?.code == .payloadTooLarge)
    }

    @Test("every documented code is distinct and kebab-case")
    func codes() {
        let names = EnvelopeError.Code.allCodes.map(\.description)
        #expect(Set(names).count == names.count)
        for name in names {
            let kebab = name.allSatisfy { character in character.isLowercase || character.isNumber || character == "-" }
            #expect(kebab, "\(name)")
        }
    }

    @Test("sealing refuses a malformed audience or issuer")
    func sealArguments() throws {
        let key = try PrivateKey.generate(.ed25519)
        #expect(throws: EnvelopeError.self) { try EnvelopeSealer(key: key, issuer: "Not A Node") }
        #expect(throws: EnvelopeError.self) { try EnvelopeSealer(key: key, issuer: "gov.x", compressionLevel: 11) }
        let sealer = try EnvelopeSealer(key: key, issuer: "gov.x")
        let error = #expect(throws: EnvelopeError.self) { try sealer.seal([:], type: .request, audience: "") }
        #expect(error?.code == .sealFailed)
    }

    @Test("a payload that is not JSON is refused as bad-json when read")
    func payloadNotJSON() throws {
        let fixture = try EnvelopeFixture()
        let envelope = try fixture.forge(
            header: fixture.header(), compressedPayload: Zlib.compress(Array("{not json".utf8)))
        let opened = try fixture.opener.open(envelope)
        let error = #expect(throws: EnvelopeError.self) { try opened.json() }
        #expect(error?.code == .badJSON)
    }

    @Test("an auditor's opener with no time check opens old envelopes")
    func ignoreTime() throws {
        let fixture = try EnvelopeFixture()
        let old = try fixture.seal(issuedAt: Date(timeIntervalSinceNow: -86_400 * 365))
        #expect(fixture.opener.refusal(old) == .tooOld)
        var auditor = fixture.opener
        auditor.time = .ignore
        #expect(auditor.refusal(old) == nil)
    }
}

/// One way an envelope must be refused, and the code it must be refused with.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    let name: String
    let code: EnvelopeError.Code
    var algorithm: SignatureAlgorithm = .ed25519
    let make: @Sendable (EnvelopeFixture) throws -> ([UInt8], EnvelopeOpener)

    var testDescription: String { "\(name) → \(code)" }

    static func with(
        _ name: String, _ code: EnvelopeError.Code, algorithm: SignatureAlgorithm = .ed25519,
        _ make: @escaping @Sendable (EnvelopeFixture) throws -> [UInt8]
    ) -> RefusalCase {
        RefusalCase(name: name, code: code, algorithm: algorithm) { fixture in (try make(fixture), fixture.opener) }
    }

    /// Replaces one member of a sealed envelope.
    static func replacing(_ member: String, in fixture: EnvelopeFixture, _ change: (String) -> String) throws -> [UInt8]
    {
        var members = try EnvelopeFixture.members(try fixture.seal())
        members[member] = change(members[member]!)
        return CanonicalJSON.serialize(.object(members.mapValues { .string($0) }))
    }

    /// Flips one base64url character of `text` at `position` to another alphabet character.
    static func flip(_ text: String, at position: Int) -> String {
        var chars = Array(text)
        let index = position < 0 ? chars.count + position : position
        chars[index] = chars[index] == "A" ? "B" : "A"
        return String(chars)
    }

    static let all: [RefusalCase] = [
        RefusalCase(name: "envelope over the size limit", code: .tooLarge) { fixture in
            var opener = fixture.opener
            opener.limits.maxEnvelopeBytes = 100
            return (try fixture.seal(), opener)
        },
        .with("not JSON", .badJSON) { _ in Array("payload=abc".utf8) },
        .with("truncated JSON", .badJSON) { fixture in Array(try fixture.seal().dropLast(5)) },
        .with("deeply nested JSON", .badJSON) { _ in [UInt8](repeating: UInt8(ascii: "["), count: 100_000) },
        .with("an array, not an object", .malformed) { _ in Array("[1,2]".utf8) },
        .with("no payload", .malformed) { fixture in
            var members = try EnvelopeFixture.members(try fixture.seal())
            members["payload"] = nil
            return CanonicalJSON.serialize(.object(members.mapValues { .string($0) }))
        },
        .with("an unprotected header", .malformed) { fixture in
            var value = try JSONParser().parse(try fixture.seal()).objectValue!
            value["header"] = ["kid": "x"]
            return CanonicalJSON.serialize(.object(value))
        },
        .with("an unknown member", .malformed) { fixture in
            var value = try JSONParser().parse(try fixture.seal()).objectValue!
            value["extra"] = "x"
            return CanonicalJSON.serialize(.object(value))
        },
        .with("a crit header", .malformed) { fixture in
            var header = fixture.header()
            header["crit"] = ["exp"]
            return try fixture.forge(header: header)
        },
        .with("iat not an integer", .malformed) { fixture in
            var header = fixture.header()
            header["iat"] = "yesterday"
            return try fixture.forge(header: header)
        },
        .with("missing nonce", .malformed) { fixture in
            var header = fixture.header()
            header["nonce"] = nil
            return try fixture.forge(header: header)
        },
        .with("padded base64 in protected", .badBase64) { fixture in
            try replacing("protected", in: fixture) { $0 + "==" }
        },
        .with("standard base64 in signature", .badBase64) { fixture in
            try replacing("signature", in: fixture) { "+/" + $0.dropFirst(2) }
        },
        .with("header that is not JSON", .badJSON) { fixture in
            try replacing("protected", in: fixture) { _ in Base64URL.encode(Array("{alg:none}".utf8)) }
        },
        .with("alg none", .algorithmNotAllowed) { fixture in
            var header = fixture.header()
            header["alg"] = "none"
            let protected = Base64URL.encode(CanonicalJSON.serialize(.object(header)))
            return fixture.flattened(
                protected: protected, payload: Base64URL.encode(try Zlib.compress([0x7B, 0x7D])), signature: "")
        },
        .with("alg HS256", .algorithmNotAllowed) { fixture in
            var header = fixture.header()
            header["alg"] = "HS256"
            return try fixture.forge(header: header)
        },
        RefusalCase(
            name: "an algorithm outside the opener's allow-list", code: .algorithmNotAllowed, algorithm: .sm2sm3
        ) { fixture in
            var opener = fixture.opener
            opener.allowedAlgorithms = [.ed25519, .es256]
            return (try fixture.seal(), opener)
        },
        .with("a key nobody trusts", .unknownKeyID) { fixture in
            let stranger = try PrivateKey.generate(.ed25519)
            var header = fixture.header()
            header["kid"] = .string(stranger.kid)
            return try fixture.forge(header: header, compressedPayload: Zlib.compress([0x7B, 0x7D]), signer: stranger)
        },
        .with("ES256 claimed for an Ed25519 key", .algorithmMismatch) { fixture in
            var header = fixture.header()
            header["alg"] = "ES256"
            return try fixture.forge(header: header)
        },
        .with("a changed payload", .badSignature) { fixture in
            try replacing("payload", in: fixture) { flip($0, at: 10) }
        },
        .with("a changed signature", .badSignature) { fixture in
            try replacing("signature", in: fixture) { flip($0, at: 5) }
        },
        .with("a changed header", .badSignature) { fixture in
            try replacing("protected", in: fixture) { protected in
                var header = try! JSONParser().parse(try! Base64URL.decode(protected)).objectValue!
                header["aud"] = "gov.tax"
                return Base64URL.encode(CanonicalJSON.serialize(.object(header)))
            }
        },
        .with("a truncated signature", .badSignature, algorithm: .es256) { fixture in
            try replacing("signature", in: fixture) { Base64URL.encode(try! Base64URL.decode($0).dropLast(3)) }
        },
        .with("a changed ES256 signature", .badSignature, algorithm: .es256) { fixture in
            try replacing("signature", in: fixture) { flip($0, at: 40) }
        },
        .with("a changed SM2 signature", .badSignature, algorithm: .sm2sm3) { fixture in
            try replacing("signature", in: fixture) { flip($0, at: 3) }
        },
        .with("content type json", .unsupportedContentType) { fixture in
            var header = fixture.header()
            header["cty"] = "json"
            return try fixture.forge(header: header)
        },
        .with("a response where a request is expected", .wrongType) { fixture in
            var header = fixture.header()
            header["typ"] = "seamless-response+jws"
            return try fixture.forge(header: header)
        },
        .with("a typ outside seamless-<kind>+jws", .wrongType) { fixture in
            var header = fixture.header()
            header["typ"] = "JWT"
            return try fixture.forge(header: header)
        },
        .with("a node signing as another", .issuerMismatch) { fixture in
            var header = fixture.header()
            header["iss"] = "gov.tax"
            return try fixture.forge(header: header)
        },
        .with("addressed to another node", .wrongAudience) { fixture in
            try fixture.sealer.seal(EnvelopeFixture.payload, type: .request, audience: "gov.tax").bytes
        },
        RefusalCase(name: "signed before the key's validity", code: .keyNotValid) { fixture in
            var opener = fixture.opener
            opener.trust = TrustStore([
                TrustedKey(
                    fixture.key.publicKey, nodeID: EnvelopeFixture.sender, validFrom: Date(timeIntervalSinceNow: 3600))
            ])
            return (try fixture.seal(), opener)
        },
        .with("iat ten minutes ahead", .notYetValid) { fixture in
            try fixture.seal(issuedAt: Date(timeIntervalSinceNow: 600))
        },
        .with("iat an hour ago", .tooOld) { fixture in try fixture.seal(issuedAt: Date(timeIntervalSinceNow: -3600)) },
        .with("a payload that is not base64url", .badBase64) { fixture in
            let protected = Base64URL.encode(CanonicalJSON.serialize(.object(fixture.header())))
            let payload = "not*base64"
            let signature = try fixture.key.signature(for: Array((protected + "." + payload).utf8))
            return fixture.flattened(protected: protected, payload: payload, signature: Base64URL.encode(signature))
        },
        RefusalCase(name: "a payload over the inflate cap", code: .payloadTooLarge) { fixture in
            var opener = fixture.opener
            opener.limits.inflate.maxOutputBytes = 50
            return (try fixture.seal(), opener)
        },
        .with("a signed payload that is not zlib", .corruptPayload) { fixture in
            try fixture.forge(header: fixture.header(), compressedPayload: Array("plain text".utf8))
        },
        .with("a signed truncated zlib stream", .corruptPayload) { fixture in
            try fixture.forge(
                header: fixture.header(),
                compressedPayload: Array(try Zlib.compress(Array(repeating: 65, count: 1000)).dropLast(3)))
        },
    ]
}
