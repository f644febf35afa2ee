/// Runs `body` over the bytes of `bytes` without copying when the collection is contiguous (arrays,
/// slices, `Data`), and over a temporary copy otherwise. Keeps `body`'s typed error.
public func withContiguousBytes<C: Collection<UInt8>, R, E: Error>(
    _ bytes: C,
    _ body: (UnsafeRawBufferPointer) throws(E) -> R
) throws(E) -> R {
    let direct: Result<R, E>? = bytes.withContiguousStorageIfAvailable { buffer in
        Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }
    if let direct {
        return try direct.get()
    }
    return try Array(bytes).withUnsafeBytes { buffer in
        Result { () throws(E) -> R in try body(buffer) }
    }.get()
}

/// Runs `body` over the UTF-8 bytes of `text`, keeping `body`'s typed error.
func withUTF8Bytes<R, E: Error>(_ text: String, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    var text = text
    return try text.withUTF8 { buffer in
        Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }.get()
}
