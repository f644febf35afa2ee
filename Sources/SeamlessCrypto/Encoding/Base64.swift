/// Standard padded base64 (RFC 4648 §4), for PEM bodies and signed-note signatures.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encodeStandard(_ bytes: [UInt8]) -> String {
        let unpadded = Base64URL.encodedLength(of: bytes.count)
        let padded = (bytes.count + 2) / 3 * 4
        return bytes.withUnsafeBytes { input in
            String(unsafeUninitializedCapacity: padded) { output in
                let raw = UnsafeMutableRawBufferPointer(output)
                Base64URL.encode(input, into: raw, alphabet: alphabet)
                for index in unpadded..<padded {
                    raw[index] = UInt8(ascii: "=")
                }
                return padded
            }
        }
    }
}
