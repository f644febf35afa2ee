import COpenSSL

/// Moves PEM text and DER bytes in and out of OpenSSL memory BIOs.
enum PEM {
    /// Runs `body` with a read-only memory BIO over `text`.
    static func withReadBIO<R>(
        _ text: String, _ body: (OpaquePointer) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        let length = text.utf8.count
        guard length <= 1 << 20 else {
            throw CryptoError(.invalidKey, "key text of \(length) bytes is far larger than any PEM key")
        }
        return try withUTF8Bytes(text) { utf8 throws(CryptoError) in
            guard let bio = BIO_new_mem_buf(utf8.baseAddress, Int32(length)) else {
                throw OpenSSLErrorQueue.error(.invalidKey, "could not allocate a buffer for the key text")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `write` against a fresh memory BIO and returns what it wrote as text.
    static func writeToString(_ what: String, _ write: (OpaquePointer) -> Int32) throws(CryptoError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw OpenSSLErrorQueue.error(.invalidKey, "could not allocate a buffer to write the \(what)")
        }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidKey, "OpenSSL could not write the \(what) as PEM")
        }
        var data: UnsafeMutablePointer<CChar>?
        let count = seamless_bio_mem_data(bio, &data)
        guard count > 0, let data else {
            throw OpenSSLErrorQueue.error(.invalidKey, "OpenSSL wrote an empty \(what)")
        }
        return data.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    /// The SubjectPublicKeyInfo DER of `pkey`.
    static func subjectPublicKeyInfo(of pkey: OpaquePointer) throws(CryptoError) -> [UInt8] {
        // An EC point read in compressed form would be written back compressed: the same key, another kid.
        // Always write the uncompressed point (the form every JOSE library and `openssl` produce).
        if EVP_PKEY_is_a(pkey, "EC") == 1 || EVP_PKEY_is_a(pkey, "SM2") == 1 {
            guard EVP_PKEY_set_utf8_string_param(pkey, "point-format", "uncompressed") == 1 else {
                throw OpenSSLErrorQueue.error(.invalidKey, "OpenSSL could not set the EC point format")
            }
        }
        let length = i2d_PUBKEY(pkey, nil)
        guard length > 0 else {
            throw OpenSSLErrorQueue.error(
                .invalidKey, "OpenSSL could not encode the public key as SubjectPublicKeyInfo")
        }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(pkey, &cursor)
        }
        guard written == length else {
            throw OpenSSLErrorQueue.error(.invalidKey, "OpenSSL encoded the public key inconsistently")
        }
        return der
    }

    /// The signature algorithm a loaded key is for, or a clear error for key types Seamless does not use.
    static func algorithm(of pkey: OpaquePointer, what: String) throws(CryptoError) -> SignatureAlgorithm {
        if EVP_PKEY_is_a(pkey, "ED25519") == 1 {
            return .ed25519
        }
        if EVP_PKEY_is_a(pkey, "SM2") == 1 {
            return .sm2sm3
        }
        if EVP_PKEY_is_a(pkey, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(pkey, &name, name.count, &length) == 1 else {
                throw OpenSSLErrorQueue.error(.invalidKey, "the \(what) is an EC key without a named curve")
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch curve {
            case "prime256v1", "P-256", "secp256r1":
                return .es256
            default:
                throw CryptoError(
                    .unsupportedAlgorithm,
                    "the \(what) is an EC key on curve \(curve); Seamless signs with P-256 (ES256), SM2 or Ed25519"
                )
            }
        }
        let type = EVP_PKEY_get0_type_name(pkey).map { String(cString: $0) } ?? "unknown"
        throw CryptoError(
            .unsupportedAlgorithm,
            "the \(what) is a \(type) key; Seamless signs with Ed25519, ECDSA P-256 (ES256) or SM2"
        )
    }
}
