/// Bounds on what inflating untrusted input may produce, so a zip bomb costs bounded memory and time.
public struct InflateLimits: Sendable, Hashable {
    /// The most bytes inflating may produce. Default 64 MiB.
    public var maxOutputBytes: Int
    /// The most output bytes per input byte, enforced once the output exceeds ``ratioGraceBytes``.
    /// Default 200; JSON record batches compress 5–20×, a zip bomb about 1000×.
    public var maxRatio: Int
    /// Output below this size is never refused for its ratio: small, repetitive messages legitimately
    /// compress far better than 200×. Default 1 MiB.
    public var ratioGraceBytes: Int

    /// Creates limits.
    public init(maxOutputBytes: Int = 64 << 20, maxRatio: Int = 200, ratioGraceBytes: Int = 1 << 20) {
        self.maxOutputBytes = maxOutputBytes
        self.maxRatio = maxRatio
        self.ratioGraceBytes = ratioGraceBytes
    }

    /// The defaults: 64 MiB output, ratio 200 beyond the first 1 MiB.
    public static let `default` = InflateLimits()
}
