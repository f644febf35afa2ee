import Testing

@testable import Seamless

@Suite("JSON skimmer")
struct JSONSkimmerTests {
    static let values = [
        "1", "-0.5e3", "01", "-", "1.", "1e", "1e400", "1e308", "12345678901234567890", "NaN", "true", "tru", "null",
        "\"abc\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud83d\\ude00\"", "\"\\x\"", "\"\\u12zz\"", "\"a\u{1}b\"", "\"é\"",
        "[1,2]", "[1,2,]", "[1 2]", "{}", "{\"a\":1,\"a\":2}", "{\"a\":1,}", "{\"a\" 1}", "[[[[]]]]", "\"abc",
    ]

    @Test("it accepts exactly what the strict parser accepts", arguments: values)
    func agreesWithParser(value: String) {
        let text = "{\"kind\":\"decision\",\"v\":\(value)}"
        let bytes = Array(text.utf8)
        let parsed = (try? JSONParser().parse(bytes)) != nil
        let skimmed = bytes.withUnsafeBytes { JSONSkimmer.topLevelMembers(of: $0, wanted: ["kind"]) } != nil
        #expect(parsed == skimmed, "\(text)")
    }

    @Test("it finds top-level members, not nested ones")
    func members() throws {
        let text = #"{"kind":"use","nested":{"sequence":99},"previous":"ab","sequence":7}"#
        let bytes = Array(text.utf8)
        let found = try #require(
            bytes.withUnsafeBytes {
                JSONSkimmer.topLevelMembers(of: $0, wanted: ["kind", "sequence", "previous", "missing"])
            })
        #expect(found[0].map { String(decoding: bytes[$0], as: UTF8.self) } == "use")
        #expect(found[1].map { String(decoding: bytes[$0], as: UTF8.self) } == "7")
        #expect(found[2].map { String(decoding: bytes[$0], as: UTF8.self) } == "ab")
        #expect(found[3] == nil)
        // Ten thousand open brackets: refused at the depth limit, without recursing that deep.
        let deep = Array(("{\"a\":" + String(repeating: "[", count: 10_000)).utf8)
        let skimmed = deep.withUnsafeBytes { JSONSkimmer.topLevelMembers(of: $0, wanted: []) }
        #expect(skimmed == nil)
    }

    @Test("in sorted mode, keys must increase at every level; canonical JSON passes")
    func sortedKeys() {
        func skim(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { JSONSkimmer.topLevelMembers(of: $0, wanted: [], sortedKeys: true) }
                != nil
        }
        #expect(skim(#"{"a":1,"b":{"x":[{"p":1,"q":2}],"y":2}}"#))
        #expect(!skim(#"{"b":1,"a":2}"#))
        #expect(!skim(#"{"a":{"y":1,"x":2}}"#))
        #expect(!skim(#"{"a":1,"a":1}"#))
        let canonical = String(
            decoding: CanonicalJSON.serialize(["zeta": 1, "alpha": ["m": 1, "b": [["y": 1, "c": 2]]]]), as: UTF8.self)
        #expect(skim(canonical))
    }
}
