import COpenSSL

/// An incremental digest whose OpenSSL context is reused across messages: for hot loops that hash many
/// small inputs (audit leaves, Merkle nodes) without an allocation or fetch per message.
///
/// Not thread-safe: give each task its own context.
public final class DigestContext {
    /// The algorithm this context computes.
    public let algorithm: DigestAlgorithm
    private let context: OpaquePointer

    /// Creates a context ready to hash a first message.
    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else {
            preconditionFailure("EVP_MD_CTX_new failed: out of memory")
        }
        self.context = context
        reset()
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Starts a new message, discarding anything absorbed so far.
    public func reset() {
        let ok = EVP_DigestInit_ex2(context, algorithm.fetched, nil)
        precondition(ok == 1, "EVP_DigestInit_ex2 failed: \(OpenSSLErrorQueue.drain() ?? "unknown")")
    }

    /// Absorbs an array (a concrete overload: generic calls across modules are not specialised).
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Absorbs `bytes`.
    public func update(_ bytes: some Collection<UInt8>) {
        withContiguousBytes(bytes) { update($0) }
    }

    /// Absorbs the bytes in `buffer`.
    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        let ok = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        precondition(ok == 1, "EVP_DigestUpdate failed: \(OpenSSLErrorQueue.drain() ?? "unknown")")
    }

    /// Returns the digest of everything absorbed since the last reset and starts a new message.
    public func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.length)
        let ok = output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, nil) }
        precondition(ok == 1, "EVP_DigestFinal_ex failed: \(OpenSSLErrorQueue.drain() ?? "unknown")")
        reset()
        return output
    }

    /// Writes the digest into `output` (at least ``DigestAlgorithm/length`` bytes) and starts a new message.
    public func finalize(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= algorithm.length, "digest output buffer too small")
        let ok = EVP_DigestFinal_ex(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), nil)
        precondition(ok == 1, "EVP_DigestFinal_ex failed: \(OpenSSLErrorQueue.drain() ?? "unknown")")
        reset()
    }
}

@available(*, unavailable)
extension DigestContext: Sendable {}
