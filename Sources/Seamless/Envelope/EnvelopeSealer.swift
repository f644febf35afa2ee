import Foundation
import SeamlessCrypto

/// A message sealed by ``EnvelopeSealer``: its header and the envelope's JSON bytes.
public struct SealedEnvelope: Sendable, Hashable {
    /// The protected header that was signed.
    public let header: EnvelopeHeader
    /// The flattened JWS JSON, canonical: `{"payload":…,"protected":…,"signature":…}`.
    public let bytes: [UInt8]
}

/// Seals messages as one node: canonical JSON → zlib → JWS signature over the compressed bytes.
public struct EnvelopeSealer: Sendable {
    /// The signing key.
    public let key: PrivateKey
    /// The node this sealer speaks for (`iss`).
    public let issuer: String
    /// The zlib level, 0…9.
    public let compressionLevel: Int

    /// Creates a sealer.
    /// - Throws: ``EnvelopeError/Code/sealFailed`` for a malformed node id or a level outside 0…9.
    public init(key: PrivateKey, issuer: String, compressionLevel: Int = 6) throws(EnvelopeError) {
        guard NodeID.isValid(issuer) else {
            throw EnvelopeError(.sealFailed, "issuer '\(issuer)' is not a node id ([a-z0-9][a-z0-9.-]{1,62})")
        }
        guard (0...9).contains(compressionLevel) else {
            throw EnvelopeError(.sealFailed, "zlib level \(compressionLevel) is outside 0...9")
        }
        self.key = key
        self.issuer = issuer
        self.compressionLevel = compressionLevel
    }

    /// Seals a JSON value, canonicalising it first.
    public func seal(
        _ value: JSONValue,
        type: EnvelopeType,
        audience: String,
        issuedAt: Date = Date()
    ) throws(EnvelopeError) -> SealedEnvelope {
        try seal(canonicalJSON: CanonicalJSON.serialize(value), type: type, audience: audience, issuedAt: issuedAt)
    }

    /// Seals bytes that already are canonical JSON (as ``CanonicalJSON`` writes it).
    public func seal(
        canonicalJSON payload: some Collection<UInt8>,
        type: EnvelopeType,
        audience: String,
        issuedAt: Date = Date()
    ) throws(EnvelopeError) -> SealedEnvelope {
        guard NodeID.isValid(audience) else {
            throw EnvelopeError(.sealFailed, "audience '\(audience)' is not a node id ([a-z0-9][a-z0-9.-]{1,62})")
        }
        do {
            let header = EnvelopeHeader(
                algorithm: key.algorithm,
                keyID: key.kid,
                type: type,
                issuedAt: Int64(issuedAt.timeIntervalSince1970.rounded(.down)),
                nonce: Base64URL.encode(try SecureRandom.bytes(16)),
                issuer: issuer,
                audience: audience
            )
            let protectedB64 = Base64URL.encodeToBytes(CanonicalJSON.serialize(header.jsonValue))
            let payloadB64 = Base64URL.encodeToBytes(try Zlib.compress(payload, level: compressionLevel))
            var signingInput = protectedB64
            signingInput.reserveCapacity(protectedB64.count + 1 + payloadB64.count)
            signingInput.append(UInt8(ascii: "."))
            signingInput.append(contentsOf: payloadB64)
            let signatureB64 = Base64URL.encodeToBytes(try key.signature(for: signingInput))
            return SealedEnvelope(
                header: header,
                bytes: Self.flattened(protected: protectedB64, payload: payloadB64, signature: signatureB64)
            )
        } catch {
            throw EnvelopeError(.sealFailed, "could not seal the envelope: \(error)")
        }
    }

    /// The canonical flattened JWS JSON: members in sorted order, base64url needs no escaping.
    static func flattened(protected: [UInt8], payload: [UInt8], signature: [UInt8]) -> [UInt8] {
        let parts: [(name: StaticString, value: [UInt8])] = [
            ("{\"payload\":\"", payload), ("\",\"protected\":\"", protected), ("\",\"signature\":\"", signature),
        ]
        var output: [UInt8] = []
        output.reserveCapacity(payload.count + protected.count + signature.count + 48)
        for part in parts {
            output.append(
                contentsOf: UnsafeBufferPointer(start: part.name.utf8Start, count: part.name.utf8CodeUnitCount))
            output.append(contentsOf: part.value)
        }
        output.append(contentsOf: "\"}".utf8)
        return output
    }
}
