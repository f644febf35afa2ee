import Seamless
import SeamlessCrypto

/// Everything one seal/open measurement needs, built once outside the measured loop: a key, a sealer and
/// an opener, a sealed envelope, and the exact bytes the raw baselines work on — the message, the
/// envelope's JWS signing input, its compressed payload and its signature.
public struct Workload: Sendable {
    /// The sending node.
    public static let issuer = "gov.civil-affairs"
    /// The receiving node.
    public static let audience = "gov.public-security"

    /// The signature algorithm.
    public let algorithm: SignatureAlgorithm
    /// The zlib level, 0…9.
    public let level: Int
    /// What is sealed.
    public let message: Message
    /// The sender's key.
    public let key: PrivateKey
    /// The sender's sealer.
    public let sealer: EnvelopeSealer
    /// The receiver's opener, trusting `key` for ``issuer``.
    public let opener: EnvelopeOpener
    /// A sealed envelope of `message`, for the open rows.
    public let envelope: [UInt8]
    /// `BASE64URL(protected) || '.' || BASE64URL(payload)` of `envelope`: what the signature covers.
    public let signingInput: [UInt8]
    /// The zlib stream inside `envelope`.
    public let compressed: [UInt8]
    /// The JWS signature of `envelope`.
    public let signature: [UInt8]
    /// The same key in OpenSSL without any Swift wrapper, for the raw C baseline.
    public let cKey: CBaselineKey
    /// A signature over `signingInput` made by the raw C baseline (DER for ES256 and SM2-SM3).
    public let cSignature: [UInt8]

    /// Builds a workload.
    public init(_ algorithm: SignatureAlgorithm, level: Int, message: Message) throws {
        self.algorithm = algorithm
        self.level = level
        self.message = message
        key = try PrivateKey.generate(algorithm)
        sealer = try EnvelopeSealer(key: key, issuer: Self.issuer, compressionLevel: level)
        opener = EnvelopeOpener(
            trust: TrustStore([TrustedKey(key.publicKey, nodeID: Self.issuer)]),
            audience: .node(Self.audience),
            // The standard check with a day's age allowed, so a long run can reopen the envelope sealed in setup.
            time: .window(maxAge: 86_400, maxSkew: 60)
        )
        envelope = try sealer.seal(canonicalJSON: message.canonicalBytes, type: .request, audience: Self.audience).bytes
        let members = try JSONParser().parse(envelope)
        guard case .string(let protected)? = members["protected"], case .string(let payload)? = members["payload"],
            case .string(let signatureText)? = members["signature"]
        else {
            throw WorkloadError("the sealed envelope is not flattened JWS JSON")
        }
        signingInput = Array((protected + "." + payload).utf8)
        compressed = try Base64URL.decode(payload)
        signature = try Base64URL.decode(signatureText)
        guard key.publicKey.isValidSignature(signature, for: signingInput),
            try Zlib.decompress(compressed) == message.canonicalBytes
        else {
            throw WorkloadError("the sealed envelope does not round-trip")
        }
        cKey = try CBaselineKey(key)
        cSignature = try cKey.sign(signingInput)
        guard cKey.verify(cSignature, signingInput) else {
            throw WorkloadError("the raw C baseline does not verify its own signature")
        }
    }

    // MARK: Seamless

    /// Seals the canonical message bytes; returns the envelope size.
    @inline(never)
    public func seal() throws -> Int {
        try sealer.seal(canonicalJSON: message.canonicalBytes, type: .request, audience: Self.audience).bytes.count
    }

    /// Canonicalises the message value and seals it (more work than ``seal()``).
    @inline(never)
    public func sealValue() throws -> Int {
        try sealer.seal(message.value, type: .request, audience: Self.audience).bytes.count
    }

    /// Verifies and inflates the envelope; returns the payload size.
    @inline(never)
    public func open() throws -> Int {
        try opener.open(envelope).payload.count
    }

    /// Opens the envelope and parses the payload into a `JSONValue` (more work than ``open()``).
    @inline(never)
    public func openAndParse() throws -> Int {
        guard case .object(let members) = try opener.open(envelope).json() else { return 0 }
        return members.count
    }

    // MARK: Raw baselines through SeamlessCrypto

    /// `Zlib.compress` of the message plus one signature over an envelope-sized signing input.
    @inline(never)
    public func rawSeal() throws -> Int {
        let compressed = try Zlib.compress(message.canonicalBytes, level: level)
        return compressed.count + (try key.signature(for: signingInput)).count
    }

    /// One verification of the envelope's signature plus `Zlib.decompress` of its payload.
    @inline(never)
    public func rawOpen() throws -> Int {
        guard key.publicKey.isValidSignature(signature, for: signingInput) else {
            throw WorkloadError("raw verification failed")
        }
        return try Zlib.decompress(compressed).count
    }

    // MARK: Raw baselines straight to C

    /// `compress2` plus `EVP_DigestSign`, with no Swift wrapper.
    @inline(never)
    public func cSeal() throws -> Int {
        try cKey.compress(message.canonicalBytes, level: level) + cKey.sign(signingInput).count
    }

    /// `EVP_DigestVerify` plus `uncompress` into a buffer of the known size, with no Swift wrapper.
    @inline(never)
    public func cOpen() throws -> Int {
        guard cKey.verify(cSignature, signingInput) else {
            throw WorkloadError("raw C verification failed")
        }
        return try cKey.uncompress(compressed, outputSize: message.canonicalBytes.count)
    }
}
