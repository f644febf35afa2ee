import CZlib

/// zlib (RFC 1950) compression, and decompression with hard caps on output size and ratio.
public enum Zlib {
    /// The most output one inflate call may produce before the caps are checked again.
    static let inflateSlice = 256 << 10

    /// Compresses `bytes` at `level` (0 = stored … 9 = smallest; 6 is zlib's default).
    /// - Throws: ``CryptoError/Code/compressionFailed`` for a level outside 0...9.
    public static func compress(_ bytes: some Collection<UInt8>, level: Int = 6) throws(CryptoError) -> [UInt8] {
        guard (0...9).contains(level) else {
            throw CryptoError(.compressionFailed, "zlib level \(level) is outside 0...9")
        }
        return try withContiguousBytes(bytes) { input throws(CryptoError) in
            try compress(input, level: Int32(level))
        }
    }

    private static func compress(_ input: UnsafeRawBufferPointer, level: Int32) throws(CryptoError) -> [UInt8] {
        var stream = z_stream()
        // No match reaches further back than the input is long, so a window (and hash table) beyond its
        // length only costs memory to allocate and clear: zlib's default takes ~270 KB, which for a
        // one-record answer is more work than compressing it. zlib can use a window's size less 262 bytes
        // for matches, hence the margin. The stream's header names the window size, and inflaters of any
        // window size read it (RFC 1950 §2.2).
        var windowBits: Int32 = 9
        while windowBits < 15 && (1 << windowBits) < input.count + 262 { windowBits += 1 }
        guard seamless_deflate_init2(&stream, level, windowBits, windowBits - 7) == Z_OK else {
            throw CryptoError(.compressionFailed, "zlib could not start compressing (out of memory?)")
        }
        defer { deflateEnd(&stream) }
        // deflateBound is exact enough to compress in one call with no regrowth.
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var failure: Int32 = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: bound) { output, initialized in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.next_out = output.baseAddress
            var remaining = input.count
            var produced = 0
            // avail_in is 32-bit: feed inputs over 4 GiB in slices.
            repeat {
                let slice = min(remaining, Int(UInt32.max))
                stream.avail_in = uInt(slice)
                remaining -= slice
                stream.avail_out = uInt(min(bound - produced, Int(UInt32.max)))
                let status = deflate(&stream, remaining == 0 ? Z_FINISH : Z_NO_FLUSH)
                produced = Int(stream.total_out)
                if status == Z_STREAM_END { break }
                if status != Z_OK && status != Z_BUF_ERROR {
                    failure = status
                    break
                }
                if remaining == 0 && status != Z_STREAM_END {
                    failure = Z_BUF_ERROR
                    break
                }
            } while true
            initialized = produced
        }
        guard failure == Z_OK else {
            throw CryptoError(
                .compressionFailed, "zlib failed while compressing \(input.count) bytes (status \(failure))")
        }
        return output
    }

    /// Inflates a complete zlib stream, refusing — before it allocates more — any stream that would exceed
    /// `limits`, and any stream that is corrupt, truncated or followed by trailing bytes.
    /// - Throws: ``CryptoError/Code/outputLimitExceeded``, ``CryptoError/Code/ratioLimitExceeded`` or
    ///   ``CryptoError/Code/corruptData``.
    public static func decompress(
        _ bytes: some Collection<UInt8>,
        limits: InflateLimits = .default
    ) throws(CryptoError) -> [UInt8] {
        try withContiguousBytes(bytes) { input throws(CryptoError) in
            try decompress(input, limits: limits)
        }
    }

    private static func decompress(
        _ input: UnsafeRawBufferPointer, limits: InflateLimits
    ) throws(CryptoError) -> [UInt8] {
        guard input.count > 0 else {
            throw CryptoError(.corruptData, "the zlib stream is empty")
        }
        var stream = z_stream()
        guard seamless_inflate_init(&stream) == Z_OK else {
            throw CryptoError(.corruptData, "zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(min(input.count, Int(UInt32.max)))
        var inputLeft = input.count - Int(stream.avail_in)

        // Start from a guess a typical JSON batch (5–10× compression) fits, grow geometrically, never past the cap.
        var capacity = min(max(input.count * 8, 4096), limits.maxOutputBytes)
        var output = uninitializedBytes(capacity)
        var produced = 0
        while true {
            if produced == capacity {
                guard capacity < limits.maxOutputBytes else {
                    // The output is full at the cap; one more byte means the stream is larger than allowed.
                    if try hasMoreOutput(&stream, inputLeft: &inputLeft) {
                        throw CryptoError(
                            .outputLimitExceeded,
                            "the zlib stream inflates to more than the \(limits.maxOutputBytes)-byte limit "
                                + "(stopped after \(produced) bytes from \(input.count) compressed)"
                        )
                    }
                    break
                }
                capacity = min(capacity * 2, limits.maxOutputBytes)
                var grown = uninitializedBytes(capacity)
                grown.withUnsafeMutableBytes { target in
                    output.withUnsafeBytes { source in
                        target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<produced]))
                    }
                }
                output = grown
            }
            let status = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
                stream.next_out = buffer.baseAddress! + produced
                // Inflate in slices so the ratio check below runs every 256 KiB, stopping a bomb early.
                stream.avail_out = uInt(min(capacity - produced, Self.inflateSlice))
                return inflate(&stream, Z_NO_FLUSH)
            }
            produced = Int(stream.total_out)
            let consumed = Int(stream.total_in)
            let allowed = consumed.multipliedReportingOverflow(by: limits.maxRatio)
            if produced > limits.ratioGraceBytes && !allowed.overflow && produced > allowed.partialValue {
                throw CryptoError(
                    .ratioLimitExceeded,
                    "the zlib stream inflates more than \(limits.maxRatio)× (\(consumed) bytes became \(produced) "
                        + "and counting), which only a zip bomb does"
                )
            }
            switch status {
            case Z_STREAM_END:
                guard stream.avail_in == 0 && inputLeft == 0 else {
                    let trailing = Int(stream.avail_in) + inputLeft
                    throw CryptoError(.corruptData, "the zlib stream is followed by \(trailing) trailing bytes")
                }
                output.removeSubrange(produced...)
                return output
            case Z_OK:
                if stream.avail_in == 0 && inputLeft > 0 {
                    let slice = min(inputLeft, Int(UInt32.max))
                    stream.avail_in = uInt(slice)
                    inputLeft -= slice
                }
            case Z_BUF_ERROR:
                if stream.avail_in == 0 && inputLeft == 0 {
                    throw CryptoError(.corruptData, "the zlib stream is truncated after \(input.count) bytes")
                }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw CryptoError(
                    .corruptData,
                    "the zlib stream is corrupt at compressed byte \(stream.total_in): \(message)"
                )
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// An array of `count` bytes that zlib is about to overwrite: skipping the zero fill matters when a
    /// buffer of many megabytes is regrown.
    private static func uninitializedBytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// With the output full at its cap: whether the stream still has data to produce.
    private static func hasMoreOutput(_ stream: inout z_stream, inputLeft: inout Int) throws(CryptoError) -> Bool {
        var probe: UInt8 = 0
        let status = withUnsafeMutablePointer(to: &probe) { pointer -> Int32 in
            stream.next_out = pointer
            stream.avail_out = 1
            return inflate(&stream, Z_NO_FLUSH)
        }
        if stream.avail_out == 0 { return true }
        switch status {
        case Z_STREAM_END:
            if stream.avail_in != 0 || inputLeft != 0 {
                throw CryptoError(.corruptData, "the zlib stream is followed by trailing bytes")
            }
            return false
        case Z_BUF_ERROR:
            throw CryptoError(.corruptData, "the zlib stream is truncated")
        default:
            throw CryptoError(.corruptData, "the zlib stream is corrupt at compressed byte \(stream.total_in)")
        }
    }
}
