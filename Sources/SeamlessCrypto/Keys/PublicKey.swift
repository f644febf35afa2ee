import COpenSSL

/// A public verification key held by OpenSSL: Ed25519, ECDSA P-256 or SM2.
///
/// Reads and writes SubjectPublicKeyInfo, as PEM (`-----BEGIN PUBLIC KEY-----`, what `openssl pkey
/// -pubout` writes) or DER.
public final class PublicKey: @unchecked Sendable, Hashable, CustomStringConvertible {
    // @unchecked: the EVP_PKEY is never mutated after creation; verification uses a fresh context per call.
    let pkey: OpaquePointer

    /// The algorithm this key verifies.
    public let algorithm: SignatureAlgorithm
    /// The SubjectPublicKeyInfo DER encoding.
    public let derRepresentation: [UInt8]
    /// The key id (see ``KeyID``).
    public let kid: String

    /// Reads a SubjectPublicKeyInfo DER encoding.
    /// - Throws: ``CryptoError/Code/invalidKey`` or ``CryptoError/Code/unsupportedAlgorithm``.
    public init(derRepresentation der: [UInt8]) throws(CryptoError) {
        let decoded = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let decoded else {
            throw OpenSSLErrorQueue.error(.invalidKey, "the \(der.count) bytes are not a DER SubjectPublicKeyInfo")
        }
        do {
            self.algorithm = try PEM.algorithm(of: decoded, what: "public key")
            // Re-encode rather than keep the input, so trailing bytes or odd encodings cannot change the kid.
            self.derRepresentation = try PEM.subjectPublicKeyInfo(of: decoded)
        } catch {
            EVP_PKEY_free(decoded)
            throw error
        }
        self.pkey = decoded
        self.kid = KeyID.of(subjectPublicKeyInfo: derRepresentation)
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    /// - Throws: ``CryptoError/Code/invalidKey`` or ``CryptoError/Code/unsupportedAlgorithm``.
    public convenience init(pemRepresentation pem: String) throws(CryptoError) {
        let der = try PEM.withReadBIO(pem) { bio throws(CryptoError) -> [UInt8] in
            guard let pkey = seamless_read_public_key(bio) else {
                throw OpenSSLErrorQueue.error(
                    .invalidKey,
                    "the text is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)"
                )
            }
            defer { EVP_PKEY_free(pkey) }
            return try PEM.subjectPublicKeyInfo(of: pkey)
        }
        try self.init(derRepresentation: der)
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// The key as SubjectPublicKeyInfo PEM.
    public var pemRepresentation: String {
        let body = Base64.encode(derRepresentation)
        var lines = ["-----BEGIN PUBLIC KEY-----"]
        var start = body.startIndex
        while start < body.endIndex {
            let end = body.index(start, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(String(body[start..<end]))
            start = end
        }
        lines.append("-----END PUBLIC KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether `signature` (64 bytes; r‖s for ES256 and SM2-SM3) is valid for `message`.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
        withContiguousBytes(signature) { signatureBytes in
            withContiguousBytes(message) { messageBytes in
                SignatureOperation.verify(signatureBytes, for: messageBytes, algorithm: algorithm, pkey: pkey)
            }
        }
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.derRepresentation == rhs.derRepresentation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(derRepresentation)
    }

    public var description: String { "\(algorithm) public key \(kid)" }
}
