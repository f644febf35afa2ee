import COpenSSL

/// The OpenSSL calls behind signing and verifying, shared by ``PrivateKey`` and ``PublicKey``.
enum SignatureOperation {
    /// GM/T 0009-2012's default distinguishing ID. OpenSSL 3.0 uses an empty ID unless one is set, which
    /// other SM2 implementations reject, so Seamless always sets it.
    static let sm2DistinguishingID: [UInt8] = Array("1234567812345678".utf8)

    /// Runs `body` with a digest-sign or digest-verify context initialised for `algorithm` and `pkey`.
    static func withInitialisedContext<R>(
        _ algorithm: SignatureAlgorithm,
        _ pkey: OpaquePointer,
        signing: Bool,
        _ body: (OpaquePointer) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        guard let context = EVP_MD_CTX_new() else {
            throw OpenSSLErrorQueue.error(.signingFailed, "could not allocate a signature context")
        }
        var keyContext: OpaquePointer?
        // The digest context does not own a key context attached with EVP_MD_CTX_set_pkey_ctx: free the
        // digest context first, then the key context.
        defer {
            EVP_MD_CTX_free(context)
            if let keyContext { EVP_PKEY_CTX_free(keyContext) }
        }
        let digest: OpaquePointer?
        switch algorithm {
        case .ed25519:
            digest = nil
        case .es256:
            digest = FetchedAlgorithms.shared.sha256
        case .sm2sm3:
            digest = FetchedAlgorithms.shared.sm3
            guard let created = EVP_PKEY_CTX_new(pkey, nil) else {
                throw OpenSSLErrorQueue.error(.signingFailed, "could not allocate an SM2 key context")
            }
            keyContext = created
            let idSet = sm2DistinguishingID.withUnsafeBytes {
                EVP_PKEY_CTX_set1_id(created, $0.baseAddress, Int32($0.count))
            }
            guard idSet == 1 else {
                throw OpenSSLErrorQueue.error(.signingFailed, "could not set the SM2 distinguishing ID")
            }
            EVP_MD_CTX_set_pkey_ctx(context, created)
        }
        let initialised =
            signing
            ? EVP_DigestSignInit(context, nil, digest, nil, pkey)
            : EVP_DigestVerifyInit(context, nil, digest, nil, pkey)
        guard initialised == 1 else {
            throw OpenSSLErrorQueue.error(.signingFailed, "OpenSSL could not start a \(algorithm) operation")
        }
        return try body(context)
    }

    /// Signs `message`; returns the JWS form (Ed25519 as is, ECDSA-style as 64-byte r‖s).
    static func sign(
        _ message: UnsafeRawBufferPointer,
        algorithm: SignatureAlgorithm,
        pkey: OpaquePointer
    ) throws(CryptoError) -> [UInt8] {
        try withInitialisedContext(algorithm, pkey, signing: true) { context throws(CryptoError) in
            var length = 0
            guard EVP_DigestSign(context, nil, &length, message.baseAddress, message.count) == 1 else {
                throw OpenSSLErrorQueue.error(.signingFailed, "OpenSSL could not size a \(algorithm) signature")
            }
            var signature = [UInt8](repeating: 0, count: length)
            let signed = signature.withUnsafeMutableBufferPointer {
                EVP_DigestSign(context, $0.baseAddress, &length, message.baseAddress, message.count)
            }
            guard signed == 1 else {
                throw OpenSSLErrorQueue.error(.signingFailed, "OpenSSL could not make a \(algorithm) signature")
            }
            signature.removeSubrange(length...)
            if algorithm == .ed25519 {
                return signature
            }
            guard let raw = ECDSASignatureEncoding.rawSignature(fromDER: signature) else {
                throw CryptoError(.signingFailed, "OpenSSL returned a \(algorithm) signature that is not valid DER")
            }
            return raw
        }
    }

    /// Whether `signature` (JWS form) is valid for `message` under `pkey`.
    static func verify(
        _ signature: UnsafeRawBufferPointer,
        for message: UnsafeRawBufferPointer,
        algorithm: SignatureAlgorithm,
        pkey: OpaquePointer
    ) -> Bool {
        guard signature.count == algorithm.signatureLength else { return false }
        let verified: Bool
        do {
            verified = try withInitialisedContext(algorithm, pkey, signing: false) { context in
                if algorithm == .ed25519 {
                    return EVP_DigestVerify(
                        context,
                        signature.baseAddress,
                        signature.count,
                        message.baseAddress,
                        message.count
                    ) == 1
                }
                guard let der = ECDSASignatureEncoding.der(fromRaw: signature) else { return false }
                return der.withUnsafeBufferPointer {
                    EVP_DigestVerify(context, $0.baseAddress, $0.count, message.baseAddress, message.count) == 1
                }
            }
        } catch {
            verified = false
        }
        // A signature that fails to verify leaves reasons in OpenSSL's queue; they are expected, not errors.
        if !verified { OpenSSLErrorQueue.clear() }
        return verified
    }
}
