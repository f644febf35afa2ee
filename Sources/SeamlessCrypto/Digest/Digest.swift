import COpenSSL

/// One-shot digests over fetched algorithms.
public enum Digest {
    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        hash(bytes, using: .sha256)
    }

    /// SM3 of `bytes`.
    public static func sm3(_ bytes: some Collection<UInt8>) -> [UInt8] {
        hash(bytes, using: .sm3)
    }

    /// The digest of `bytes` with `algorithm`.
    public static func hash(_ bytes: some Collection<UInt8>, using algorithm: DigestAlgorithm) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.length)
        let ok = withContiguousBytes(bytes) { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, nil, algorithm.fetched, nil)
            }
        }
        // EVP_Digest fails only when memory allocation fails inside OpenSSL.
        precondition(ok == 1, "EVP_Digest failed: \(OpenSSLErrorQueue.drain() ?? "out of memory")")
        return output
    }
}
