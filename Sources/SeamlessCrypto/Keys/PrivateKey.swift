import COpenSSL

/// A private signing key held by OpenSSL: Ed25519, ECDSA P-256 or SM2.
///
/// Reads and writes PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form `openssl genpkey` writes and
/// `openssl pkey` reads. Encrypted PEM is refused rather than prompting for a passphrase.
public final class PrivateKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is never mutated after creation, and OpenSSL allows concurrent signing
    // with one key from several threads as long as each uses its own context, which every call does.
    let pkey: OpaquePointer

    /// The algorithm this key signs with.
    public let algorithm: SignatureAlgorithm
    /// The matching public key.
    public let publicKey: PublicKey

    /// The key id of the public key (see ``KeyID``).
    public var kid: String { publicKey.kid }

    private init(taking pkey: OpaquePointer, algorithm: SignatureAlgorithm) throws(CryptoError) {
        self.pkey = pkey
        self.algorithm = algorithm
        do {
            self.publicKey = try PublicKey(derRepresentation: PEM.subjectPublicKeyInfo(of: pkey))
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Generates a fresh key for `algorithm` from OpenSSL's default random generator.
    public static func generate(_ algorithm: SignatureAlgorithm) throws(CryptoError) -> PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm.openSSLKeyType, nil) else {
            throw OpenSSLErrorQueue.error(.keyGenerationFailed, "OpenSSL has no \(algorithm) key generator")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else {
            throw OpenSSLErrorQueue.error(.keyGenerationFailed, "OpenSSL could not start \(algorithm) key generation")
        }
        if algorithm == .es256, EVP_PKEY_CTX_set_group_name(context, "P-256") != 1 {
            throw OpenSSLErrorQueue.error(.keyGenerationFailed, "OpenSSL could not select curve P-256")
        }
        var pkey: OpaquePointer?
        guard EVP_PKEY_generate(context, &pkey) == 1, let pkey else {
            throw OpenSSLErrorQueue.error(.keyGenerationFailed, "OpenSSL could not generate a \(algorithm) key")
        }
        return try PrivateKey(taking: pkey, algorithm: algorithm)
    }

    /// Reads a PKCS#8 PEM private key (also the traditional `EC PRIVATE KEY` form OpenSSL reads).
    /// - Throws: ``CryptoError/Code/invalidKey`` for text that is not an unencrypted private key PEM,
    ///   ``CryptoError/Code/unsupportedAlgorithm`` for RSA, other curves and other key types.
    public convenience init(pemRepresentation pem: String) throws(CryptoError) {
        let loaded = try PEM.withReadBIO(pem) { bio throws(CryptoError) -> OpaquePointer in
            guard let pkey = seamless_read_private_key(bio) else {
                throw OpenSSLErrorQueue.error(
                    .invalidKey,
                    "the text is not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY-----)"
                )
            }
            return pkey
        }
        let algorithm: SignatureAlgorithm
        do {
            algorithm = try PEM.algorithm(of: loaded, what: "private key")
        } catch {
            EVP_PKEY_free(loaded)
            throw error
        }
        try self.init(taking: loaded, algorithm: algorithm)
    }

    /// The key as unencrypted PKCS#8 PEM. Write it to a file readable by its owner only.
    public var pemRepresentation: String {
        get throws(CryptoError) {
            try PEM.writeToString("private key") {
                PEM_write_bio_PrivateKey($0, pkey, nil, nil, 0, nil, nil)
            }
        }
    }

    /// Signs `message`. ES256 and SM2-SM3 signatures come back as 64-byte r‖s, Ed25519 as its 64 bytes.
    public func signature(for message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        try withContiguousBytes(message) { bytes throws(CryptoError) in
            try SignatureOperation.sign(bytes, algorithm: algorithm, pkey: pkey)
        }
    }
}
