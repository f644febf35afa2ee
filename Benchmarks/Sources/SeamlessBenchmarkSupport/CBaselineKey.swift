import CBaseline
import SeamlessCrypto

/// A Seamless key loaded into OpenSSL directly, with the zlib and libcrypto calls of the raw C baseline.
public final class CBaselineKey: @unchecked Sendable {
    // @unchecked: both EVP_PKEYs are read-only after init, and every call uses its own OpenSSL context.
    private let privateKey: OpaquePointer
    private let publicKey: OpaquePointer
    private let digest: OpaquePointer?
    private let sm2: Int32

    /// Loads `key` (and its public half) from their PEM forms.
    public init(_ key: PrivateKey) throws {
        let privatePEM = Array(try key.pemRepresentation.utf8)
        let publicPEM = Array(key.publicKey.pemRepresentation.utf8)
        let loadedPrivate = privatePEM.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cb_read_private_key($0.baseAddress, Int32($0.count)) }
        }
        let loadedPublic = publicPEM.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cb_read_public_key($0.baseAddress, Int32($0.count)) }
        }
        guard let loadedPrivate, let loadedPublic else {
            EVP_PKEY_free(loadedPrivate)
            EVP_PKEY_free(loadedPublic)
            throw WorkloadError("OpenSSL could not read the PEM keys")
        }
        privateKey = loadedPrivate
        publicKey = loadedPublic
        switch key.algorithm {
        case .ed25519:
            digest = nil
            sm2 = 0
        case .es256:
            digest = EVP_MD_fetch(nil, "SHA2-256", nil)
            sm2 = 0
        case .sm2sm3:
            digest = EVP_MD_fetch(nil, "SM3", nil)
            sm2 = 1
        }
    }

    deinit {
        EVP_PKEY_free(privateKey)
        EVP_PKEY_free(publicKey)
        EVP_MD_free(digest)
    }

    /// A signature (DER for ECDSA and SM2) over `message`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        var length = 128
        var signature = [UInt8](repeating: 0, count: length)
        let ok = signature.withUnsafeMutableBufferPointer { output in
            message.withUnsafeBufferPointer { input in
                cb_sign(privateKey, digest, sm2, input.baseAddress, input.count, output.baseAddress, &length)
            }
        }
        guard ok == 1 else { throw WorkloadError("EVP_DigestSign failed") }
        signature.removeSubrange(length...)
        return signature
    }

    /// Whether `signature` (as ``sign(_:)`` makes it) is valid for `message`.
    public func verify(_ signature: [UInt8], _ message: [UInt8]) -> Bool {
        signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { input in
                cb_verify(publicKey, digest, sm2, sig.baseAddress, sig.count, input.baseAddress, input.count) == 1
            }
        }
    }

    /// `compress2` into a fresh buffer; returns the compressed size.
    public func compress(_ input: [UInt8], level: Int) throws -> Int {
        var length = cb_compress_bound(input.count)
        let output = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            let status = input.withUnsafeBufferPointer {
                cb_compress(buffer.baseAddress, &length, $0.baseAddress, $0.count, Int32(level))
            }
            initialized = status == Z_OK ? length : 0
        }
        guard !output.isEmpty else { throw WorkloadError("compress2 failed") }
        return output.count
    }

    /// `uncompress` into a fresh buffer of the known size; returns the inflated size.
    public func uncompress(_ input: [UInt8], outputSize: Int) throws -> Int {
        var length = outputSize
        let output = [UInt8](unsafeUninitializedCapacity: outputSize) { buffer, initialized in
            let status = input.withUnsafeBufferPointer {
                cb_uncompress(buffer.baseAddress, &length, $0.baseAddress, $0.count)
            }
            initialized = status == Z_OK ? length : 0
        }
        guard output.count == outputSize else { throw WorkloadError("uncompress failed") }
        return output.count
    }
}
