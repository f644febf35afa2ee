/// Unpadded base64url (RFC 4648 §5) as JWS uses it, strict on input: no padding, no whitespace, no
/// characters outside the alphabet and no non-canonical encodings, so every byte string has exactly one
/// accepted text.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 0...63 for alphabet bytes, 0xFF for everything else.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Four tables of 256 entries: the sextet of a character already shifted into its place among the
    /// 24 bits of a quantum (position k at 18 − 6k), or bit 31 for characters outside the alphabet, so a
    /// quantum decodes with four loads, three ORs and one test.
    private static let shiftedTables: [UInt32] = {
        var tables = [UInt32](repeating: 0x8000_0000, count: 1024)
        for position in 0..<4 {
            for (index, byte) in alphabet.enumerated() {
                tables[position * 256 + Int(byte)] = UInt32(index) << (18 - 6 * UInt32(position))
            }
        }
        return tables
    }()

    /// The encoded length of `count` bytes.
    public static func encodedLength(of count: Int) -> Int {
        (count / 3) * 4 + [0, 2, 3][count % 3]
    }

    /// Encodes `bytes` as unpadded base64url text.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let length = encodedLength(of: bytes.count)
        return withContiguousBytes(bytes) { input in
            String(unsafeUninitializedCapacity: length) { output in
                encode(input, into: UnsafeMutableRawBufferPointer(output))
                return length
            }
        }
    }

    /// Encodes `bytes` as unpadded base64url into an array of ASCII bytes.
    public static func encodeToBytes(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let length = encodedLength(of: bytes.count)
        return withContiguousBytes(bytes) { input in
            [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
                encode(input, into: UnsafeMutableRawBufferPointer(output))
                initialized = length
            }
        }
    }

    /// Writes the encoding of `input` to `output`, which holds exactly `encodedLength(of: input.count)` bytes.
    public static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        encode(input, into: output, alphabet: alphabet)
    }

    /// The shared encoder loop; standard base64 uses it with its own alphabet.
    static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, alphabet: [UInt8]) {
        precondition(output.count >= encodedLength(of: input.count), "base64 output buffer too small")
        alphabet.withUnsafeBufferPointer { table in
            var i = 0
            var o = 0
            let full = input.count - input.count % 3
            while i < full {
                let value = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                output[o] = table[Int(value >> 18 & 0x3F)]
                output[o + 1] = table[Int(value >> 12 & 0x3F)]
                output[o + 2] = table[Int(value >> 6 & 0x3F)]
                output[o + 3] = table[Int(value & 0x3F)]
                i += 3
                o += 4
            }
            switch input.count - full {
            case 1:
                let value = UInt32(input[i]) << 16
                output[o] = table[Int(value >> 18 & 0x3F)]
                output[o + 1] = table[Int(value >> 12 & 0x3F)]
            case 2:
                let value = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                output[o] = table[Int(value >> 18 & 0x3F)]
                output[o + 1] = table[Int(value >> 12 & 0x3F)]
                output[o + 2] = table[Int(value >> 6 & 0x3F)]
            default:
                break
            }
        }
    }

    /// Decodes unpadded base64url text.
    /// - Throws: ``CryptoError/Code/invalidBase64`` naming the offending position.
    public static func decode(_ text: String) throws(CryptoError) -> [UInt8] {
        try withUTF8Bytes(text) { bytes throws(CryptoError) in try decode(bytes) }
    }

    /// Decodes unpadded base64url given as ASCII bytes.
    /// - Throws: ``CryptoError/Code/invalidBase64`` naming the offending position.
    public static func decode(_ input: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        let remainder = input.count % 4
        if remainder == 1 {
            throw CryptoError(
                .invalidBase64,
                "base64url text of \(input.count) characters is truncated: no encoding has that length"
            )
        }
        let outputLength = (input.count / 4) * 3 + (remainder == 0 ? 0 : remainder - 1)
        var failure: (position: Int, byte: UInt8)?
        let output = shiftedTables.withUnsafeBufferPointer { shifted in
            [UInt8](unsafeUninitializedCapacity: outputLength) { output, initialized in
                let table = decodeTable
                var i = 0
                var o = 0
                let full = input.count - remainder
                while i < full {
                    let value =
                        shifted[Int(input[i])] | shifted[256 + Int(input[i + 1])]
                        | shifted[512 + Int(input[i + 2])] | shifted[768 + Int(input[i + 3])]
                    if value & 0x8000_0000 != 0 {
                        failure = firstInvalid(input, from: i)
                        initialized = 0
                        return
                    }
                    output[o] = UInt8(truncatingIfNeeded: value >> 16)
                    output[o + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    output[o + 2] = UInt8(truncatingIfNeeded: value)
                    i += 4
                    o += 3
                }
                if remainder > 0 {
                    var value: UInt32 = 0
                    for k in 0..<remainder {
                        let sextet = table[Int(input[i + k])]
                        if sextet == 0xFF {
                            failure = (i + k, input[i + k])
                            initialized = 0
                            return
                        }
                        value |= UInt32(sextet) << (18 - 6 * UInt32(k))
                    }
                    // Unused low bits must be zero, or two texts would decode to the same bytes.
                    let unusedMask: UInt32 = remainder == 2 ? 0x00_FFFF : 0x00_00FF
                    if value & unusedMask != 0 {
                        failure = (input.count - 1, input[input.count - 1])
                        initialized = 0
                        return
                    }
                    output[o] = UInt8(truncatingIfNeeded: value >> 16)
                    if remainder == 3 {
                        output[o + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    }
                }
                initialized = outputLength
            }
        }
        if let failure {
            let shown =
                (0x21...0x7E).contains(failure.byte)
                ? "'\(Character(Unicode.Scalar(failure.byte)))'"
                : hexByte(failure.byte)
            throw CryptoError(
                .invalidBase64,
                "base64url text has \(shown) at position \(failure.position), which is "
                    + "\(decodeTableContains(failure.byte) ? "a non-canonical final character" : "not in the base64url alphabet (A-Z a-z 0-9 - _, no padding)")"
            )
        }
        return output
    }

    private static func decodeTableContains(_ byte: UInt8) -> Bool {
        decodeTable[Int(byte)] != 0xFF
    }

    private static func firstInvalid(_ input: UnsafeRawBufferPointer, from start: Int) -> (Int, UInt8) {
        var i = start
        while i < input.count, decodeTable[Int(input[i])] != 0xFF {
            i += 1
        }
        return (i, input[i])
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
