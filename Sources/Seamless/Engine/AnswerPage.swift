/// The canonical JSON of a granted answer, written straight from the store's canonical field bytes.
///
/// A page of a bulk sync holds thousands of records. Parsing each record's stored fields, copying the
/// granted ones into a new object and writing it out again costs more than everything else the provider
/// does for the page; when every stored field of a record is granted (a subscription usually asks for all
/// it may have), the stored bytes already are the answer's bytes. The result is byte for byte what
/// `CanonicalJSON.encode` writes for the same ``ExchangeResponse`` (a test compares both).
enum AnswerPage {
    /// The canonical JSON of `record`'s fields restricted to `granted`: the stored bytes themselves when
    /// every stored field is granted, else the record parsed, minimised and written again.
    /// - Throws: ``StoreError/Code/database`` when the stored fields are not a JSON object.
    static func grantedFields(of record: StoredRecord, granted: Set<String>) throws(StoreError) -> [UInt8] {
        let allGranted = record.canonicalFields.withUnsafeBytes { bytes in
            // Keys with escapes are compared as written, so they take the slow path; so do texts that are
            // not an object with sorted keys.
            JSONSkimmer.topLevelKeys(of: bytes, sortedKeys: true)?.allSatisfy { key in
                granted.contains(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[key]), as: UTF8.self))
            }
        }
        if allGranted == true { return record.canonicalFields }
        return CanonicalJSON.serialize(.object(try record.parsed().minimised(to: Array(granted))))
    }

    /// The canonical bytes of `response` (which holds no records) with `records` as its `records` member,
    /// each with its granted `fields` bytes; `versions` adds each record's version (changes feed answers).
    /// `nil` if `response` holds records itself, or its JSON has `"records":[]` more than once.
    static func canonicalJSON(
        of response: ExchangeResponse, records: [(record: StoredRecord, fields: [UInt8])], versions: Bool
    ) -> [UInt8]? {
        let head = CanonicalJSON.serialize(response.jsonValue)
        // `records` is always written; quotes inside canonical strings are escaped, so this text can only be
        // a member called `records` — the response's own, as long as it occurs once (a nested member of that
        // name, should one ever be added, would make this refuse rather than write the page in its place).
        guard response.records.isEmpty, let member = onlyOccurrence(of: #""records":[]"#, in: head) else {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(head.count + records.reduce(0) { $0 + $1.fields.count + 96 })
        output.append(contentsOf: head[..<(member.upperBound - 1)])
        for (position, (record, fields)) in records.enumerated() {
            output.append(contentsOf: position == 0 ? #"{"fields":"#.utf8 : #",{"fields":"#.utf8)
            output.append(contentsOf: fields)
            output.append(contentsOf: #","key":"#.utf8)
            CanonicalJSON.writeString(record.key, to: &output)
            if let subject = record.subject {
                output.append(contentsOf: #","subject":"#.utf8)
                CanonicalJSON.writeString(subject, to: &output)
            }
            if versions {
                output.append(contentsOf: #","version":"#.utf8)
                CanonicalJSON.writeNumber(Double(record.version), to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        output.append(contentsOf: head[(member.upperBound - 1)...])
        return output
    }

    /// Where `marker` occurs in `bytes`, if it occurs exactly once. A plain scan: the standard library's
    /// generic `firstRange(of:)` cost more than the rest of a single-record answer.
    private static func onlyOccurrence(of marker: StaticString, in bytes: [UInt8]) -> Range<Int>? {
        let pattern = UnsafeBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount)
        return bytes.withUnsafeBufferPointer { haystack -> Range<Int>? in
            guard let first = pattern.first, haystack.count >= pattern.count else { return nil }
            var found: Range<Int>?
            var start = 0
            while start <= haystack.count - pattern.count {
                if haystack[start] == first,
                    UnsafeBufferPointer(rebasing: haystack[start..<(start + pattern.count)]).elementsEqual(pattern)
                {
                    if found != nil { return nil }
                    found = start..<(start + pattern.count)
                    start += pattern.count
                } else {
                    start += 1
                }
            }
            return found
        }
    }
}
