/// Converts ECDSA-style signatures (ES256, SM2) between OpenSSL's DER `ECDSA-Sig-Value` and the fixed
/// 64-byte r‖s form JWS requires (RFC 7518 §3.4).
enum ECDSASignatureEncoding {
    static let scalarLength = 32

    /// r‖s from DER `SEQUENCE { INTEGER r, INTEGER s }`, or `nil` if the DER is not of that shape.
    static func rawSignature(fromDER der: [UInt8]) -> [UInt8]? {
        var index = 0
        func readLength() -> Int? {
            guard index < der.count else { return nil }
            let length = Int(der[index])
            index += 1
            // r and s are at most 33 bytes, so every length here fits the short form.
            return length < 0x80 ? length : nil
        }
        func readInteger() -> ArraySlice<UInt8>? {
            guard index < der.count, der[index] == 0x02 else { return nil }
            index += 1
            guard let length = readLength(), length > 0, index + length <= der.count else { return nil }
            var value = der[index..<(index + length)]
            index += length
            while value.count > 1, value.first == 0 {
                value = value.dropFirst()
            }
            return value.count <= scalarLength ? value : nil
        }
        guard der.first == 0x30 else { return nil }
        index = 1
        guard let sequenceLength = readLength(), index + sequenceLength == der.count,
            let r = readInteger(), let s = readInteger(), index == der.count
        else { return nil }
        var raw = [UInt8](repeating: 0, count: 2 * scalarLength)
        raw.replaceSubrange((scalarLength - r.count)..<scalarLength, with: r)
        raw.replaceSubrange((2 * scalarLength - s.count)..<(2 * scalarLength), with: s)
        return raw
    }

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` from 64-byte r‖s; `nil` if the length is wrong.
    static func der(fromRaw raw: UnsafeRawBufferPointer) -> [UInt8]? {
        guard raw.count == 2 * scalarLength else { return nil }
        func integer(_ bytes: UnsafeRawBufferPointer.SubSequence) -> [UInt8] {
            var slice = bytes
            while slice.count > 1, slice.first == 0 {
                slice = slice.dropFirst()
            }
            var encoded: [UInt8] = [0x02]
            let needsPad = (slice.first ?? 0) & 0x80 != 0
            encoded.append(UInt8(slice.count + (needsPad ? 1 : 0)))
            if needsPad { encoded.append(0) }
            encoded.append(contentsOf: slice)
            return encoded
        }
        let r = integer(raw[0..<scalarLength])
        let s = integer(raw[scalarLength..<(2 * scalarLength)])
        return [0x30, UInt8(r.count + s.count)] + r + s
    }
}
