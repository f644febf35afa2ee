import Seamless

/// The JSON message a workload seals: canonical bytes and the value they came from.
public struct Message: Sendable {
    /// A short label for reports, e.g. `1 MB batch`.
    public let label: String
    /// The value, for the seal-from-`JSONValue` rows.
    public let value: JSONValue
    /// Its canonical JSON bytes.
    public let canonicalBytes: [UInt8]

    /// The ~1 MB record batch.
    public static var batch: Message {
        let batch = RecordBatch.oneMegabyte
        return Message(label: "1 MB batch", value: batch.value, canonicalBytes: batch.canonicalBytes)
    }

    /// The ~1 KB request.
    public static var request: Message {
        Message(label: "1 KB request", value: RequestMessage.value, canonicalBytes: RequestMessage.canonicalBytes)
    }
}
