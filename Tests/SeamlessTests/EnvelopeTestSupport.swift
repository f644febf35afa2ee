import Foundation
import SeamlessCrypto

@testable import Seamless

/// Two departments and the keys they trust, for envelope tests.
struct EnvelopeFixture {
    static let sender = "gov.civil-affairs"
    static let receiver = "gov.public-security"
    static let payload: JSONValue = [
        "resource": "gov.public-security/household-registration",
        "fields": ["householdId", "district", "members"],
        "purpose": "social-assistance.eligibility",
        "subjects": ["subj-7f3a91c2"],
    ]

    let key: PrivateKey
    let sealer: EnvelopeSealer
    let opener: EnvelopeOpener

    init(_ algorithm: SignatureAlgorithm = .ed25519, bindIssuer: Bool = true) throws {
        key = try PrivateKey.generate(algorithm)
        sealer = try EnvelopeSealer(key: key, issuer: Self.sender)
        opener = EnvelopeOpener(
            trust: TrustStore([TrustedKey(key.publicKey, nodeID: bindIssuer ? Self.sender : nil)]),
            audience: .node(Self.receiver),
            acceptedTypes: [.request]
        )
    }

    func seal(_ value: JSONValue = EnvelopeFixture.payload, issuedAt: Date = Date()) throws -> [UInt8] {
        try sealer.seal(value, type: .request, audience: Self.receiver, issuedAt: issuedAt).bytes
    }

    /// A header like the sealer writes, to be altered by a test.
    func header(issuedAt: Date = Date()) -> [String: JSONValue] {
        EnvelopeHeader(
            algorithm: key.algorithm,
            keyID: key.kid,
            type: .request,
            issuedAt: Int64(issuedAt.timeIntervalSince1970),
            nonce: "AAAAAAAAAAAAAAAAAAAAAA",
            issuer: Self.sender,
            audience: Self.receiver
        ).jsonValue.objectValue!
    }

    /// An envelope with any header and any (already compressed) payload bytes, correctly signed by `key`.
    func forge(header: [String: JSONValue], compressedPayload: [UInt8], signer: PrivateKey? = nil) throws -> [UInt8] {
        let protected = Base64URL.encode(CanonicalJSON.serialize(.object(header)))
        let payload = Base64URL.encode(compressedPayload)
        let signature = try (signer ?? key).signature(for: Array((protected + "." + payload).utf8))
        return flattened(protected: protected, payload: payload, signature: Base64URL.encode(signature))
    }

    func forge(header: [String: JSONValue], payload: JSONValue = EnvelopeFixture.payload) throws -> [UInt8] {
        try forge(header: header, compressedPayload: Zlib.compress(CanonicalJSON.serialize(payload)))
    }

    func flattened(protected: String, payload: String, signature: String) -> [UInt8] {
        CanonicalJSON.serialize([
            "protected": .string(protected), "payload": .string(payload), "signature": .string(signature),
        ])
    }

    /// The envelope's members as strings, to rebuild it with one changed.
    static func members(_ envelope: [UInt8]) throws -> [String: String] {
        try JSONParser().parse(envelope).objectValue!.mapValues { $0.stringValue! }
    }
}

extension EnvelopeOpener {
    /// Opens and returns the error code, or `nil` when the envelope opened.
    func refusal(_ envelope: [UInt8], now: Date = Date()) -> EnvelopeError.Code? {
        do {
            _ = try open(envelope, now: now)
            return nil
        } catch {
            return error.code
        }
    }
}
