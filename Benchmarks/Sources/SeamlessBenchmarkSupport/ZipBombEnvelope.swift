import CBaseline
import Foundation
import Seamless
import SeamlessCrypto

/// A correctly signed envelope whose payload is a zlib stream that inflates to 1 GiB of zeros (about 1 MB
/// compressed): what a compromised or malicious peer could send. The opener must refuse it quickly and
/// without holding more than its inflate cap.
public struct ZipBombEnvelope: Sendable {
    /// The envelope bytes.
    public let envelope: [UInt8]
    /// The compressed payload size.
    public let compressedBytes: Int
    /// What the payload would inflate to.
    public let inflatedBytes: Int
    /// An opener with the default limits (64 MiB cap, ratio 200 beyond 1 MiB): refuses on the ratio.
    public let opener: EnvelopeOpener
    /// The same opener with the ratio cap switched off: refuses on the 64 MiB output cap.
    public let openerWithoutRatioCap: EnvelopeOpener

    /// Builds a bomb of `mebibytes` MiB signed with a fresh key of `algorithm`.
    public init(mebibytes: Int = 1024, algorithm: SignatureAlgorithm = .ed25519) throws {
        var length = 0
        guard let raw = cb_zip_bomb(UInt32(mebibytes), &length) else {
            throw WorkloadError("could not build the zip bomb")
        }
        defer { free(raw) }
        let bomb = Array(UnsafeBufferPointer(start: raw, count: length))
        let key = try PrivateKey.generate(algorithm)
        let header = EnvelopeHeader(
            algorithm: algorithm,
            keyID: key.kid,
            type: .response,
            issuedAt: Int64(Date().timeIntervalSince1970),
            nonce: Base64URL.encode(try SecureRandom.bytes(16)),
            issuer: Workload.issuer,
            audience: Workload.audience
        )
        let protected = Base64URL.encode(CanonicalJSON.serialize(header.jsonValue))
        let payload = Base64URL.encode(bomb)
        let signature = Base64URL.encode(try key.signature(for: Array((protected + "." + payload).utf8)))
        envelope = CanonicalJSON.serialize([
            "protected": .string(protected), "payload": .string(payload), "signature": .string(signature),
        ])
        compressedBytes = bomb.count
        inflatedBytes = mebibytes << 20
        opener = EnvelopeOpener(
            trust: TrustStore([TrustedKey(key.publicKey, nodeID: Workload.issuer)]),
            audience: .node(Workload.audience),
            time: .window(maxAge: 86_400, maxSkew: 60)
        )
        var withoutRatio = opener
        withoutRatio.limits.inflate.maxRatio = 1 << 40
        openerWithoutRatioCap = withoutRatio
    }

    /// Opens the bomb with `opener`; returns the refusal code, or throws if it was not refused.
    @inline(never)
    public func refusal(by opener: EnvelopeOpener) throws -> EnvelopeError.Code {
        do {
            _ = try opener.open(envelope)
        } catch {
            return error.code
        }
        throw WorkloadError("the zip bomb was opened")
    }
}
