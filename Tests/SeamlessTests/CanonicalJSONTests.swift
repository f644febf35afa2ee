import Foundation
import SeamlessFixtures
import Testing

@testable import Seamless

@Suite("Canonical JSON (RFC 8785)")
struct CanonicalJSONTests {
    func canonical(_ text: String) throws -> String {
        String(decoding: try CanonicalJSON.canonicalize(Array(text.utf8)), as: UTF8.self)
    }

    @Test("the RFC 8785 §3.2.2 example canonicalises to the published bytes")
    func rfcExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected =
            #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    @Test("members sort by UTF-16 code units, as RFC 8785 §3.2.3 shows")
    func sortOrder() throws {
        let input =
            #"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#
        let output = try canonical(input)
        let names = [
            "Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
            "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh",
        ]
        let positions = names.map { output.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test(
        "numbers print as ECMAScript does (RFC 8785 Appendix B)",
        arguments: [
            (UInt64(0x0000_0000_0000_0000), "0"), (0x8000_0000_0000_0000, "0"), (0x0000_0000_0000_0001, "5e-324"),
            (0x8000_0000_0000_0001, "-5e-324"), (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
            (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"), (0x4340_0000_0000_0000, "9007199254740992"),
            (0xC340_0000_0000_0000, "-9007199254740992"), (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"), (0x44B5_2D02_C7E1_4AF6, "1e+23"),
            (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"), (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
            (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"), (0x444B_1AE4_D6E2_EF50, "1e+21"),
            (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"), (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
            (0x41B3_DE43_5555_5553, "333333333.3333332"), (0x41B3_DE43_5555_5554, "333333333.33333325"),
            (0x41B3_DE43_5555_5555, "333333333.3333333"), (0x41B3_DE43_5555_5556, "333333333.3333334"),
            (0x41B3_DE43_5555_5557, "333333333.33333343"), (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
            (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
        ])
    func numbers(bits: UInt64, expected: String) {
        var output: [UInt8] = []
        CanonicalJSON.writeNumber(Double(bitPattern: bits), to: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    @Test("non-finite numbers a caller builds serialise as null, as JSON.stringify does")
    func nonFinite() {
        #expect(CanonicalJSON.serialize([.number(.nan), .number(.infinity)]) == Array("[null,null]".utf8))
    }

    @Test("canonicalising canonical output changes nothing")
    func idempotent() throws {
        let value: JSONValue = ["b": [1, 2.5, "x\u{1}y", nil], "a": ["z": true, "é": false], "": "empty"]
        let once = CanonicalJSON.serialize(value)
        #expect(try CanonicalJSON.canonicalize(once) == once)
        #expect(
            String(decoding: once, as: UTF8.self)
                == #"{"":"empty","a":{"z":true,"é":false},"b":[1,2.5,"x\u0001y",null]}"#)
    }

    @Test("Encodable values canonicalise through JSONEncoder")
    func encodable() throws {
        struct Request: Encodable {
            let resource = "gov.public-security/household-registration"
            let fields = ["name", "address"]
            let limit = 10
        }
        let bytes = try CanonicalJSON.encode(Request())
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"fields":["name","address"],"limit":10,"resource":"gov.public-security/household-registration"}"#)
    }
}

@Suite("Strict JSON parser on hostile input")
struct JSONParserTests {
    @Test(
        "malformed, truncated and hostile texts are refused with a located reason",
        arguments: [
            ("", "ends where a value was expected"),
            ("{", "expected a member name"),
            ("{\"a\":1,}", "expected a member name"),
            ("[1,2,]", "where a value was expected"),
            ("[1 2]", "expected ',' or ']'"),
            ("{\"a\":1,\"a\":2}", "appears twice"),
            ("01", "leading zeros"),
            ("-", "needs digits after '-'"),
            ("1.", "needs digits after '.'"),
            ("1e", "needs digits in its exponent"),
            ("1e400", "out of range"),
            ("NaN", "where a value was expected"),
            ("\"\\ud800\"", "high surrogate"),
            ("\"\\udc00\"", "lone low surrogate"),
            ("\"\\x\"", "not a JSON escape"),
            ("\"\\u12\"", "truncated"),
            ("\"\\u12zz\"", "four hex digits"),
            ("\"a\u{1}b\"", "must be escaped"),
            ("\"abc", "not closed"),
            ("true false", "after the JSON value"),
            ("// comment\n1", "where a value was expected"),
            ("tru", "where a value was expected"),
        ])
    func refused(text: String, reason: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser().parse(Array(text.utf8)) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0x5C, 0x6E, 0xFF, 0x22],
        ] {
            let error = #expect(throws: JSONParseError.self) { try JSONParser().parse(bytes) }
            #expect(error?.reason.contains("not valid UTF-8") == true)
        }
    }

    @Test("nesting a million levels deep is refused at the depth limit, without a crash")
    func deepNesting() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        let error = #expect(throws: JSONParseError.self) { try JSONParser().parse(bytes) }
        #expect(error?.reason.contains("deeper than 128") == true)
        let objects = Array(String(repeating: "{\"a\":", count: 200).utf8)
        #expect(throws: JSONParseError.self) { try JSONParser(maxDepth: 64).parse(objects) }
    }

    @Test("the error names the path to the bad value")
    func errorPath() {
        let text = #"{"records":[{"name":"a"},{"name":"b","age":01}]}"#
        let error = #expect(throws: JSONParseError.self) { try JSONParser().parse(Array(text.utf8)) }
        #expect(error?.pathDescription == "$.records[1].age")
        #expect(error?.offset == 43)
    }

    @Test("escapes and surrogate pairs decode to the right characters")
    func escapes() throws {
        let value = try JSONParser().parse(Array(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#.utf8))
        #expect(value == .string("a\"b\\c/d\u{8}\u{C}\n\r\té😀"))
    }

    @Test("numbers keep their value; integers up to 2^53 stay exact")
    func numbers() throws {
        #expect(try JSONParser().parse(Array("-0".utf8)) == .number(0))
        #expect(try JSONParser().parse(Array("9007199254740993".utf8)).integerValue == 9_007_199_254_740_992)
        #expect(try JSONParser().parse(Array("123456789012345".utf8)).integerValue == 123_456_789_012_345)
        #expect(try JSONParser().parse(Array("1.5E+2".utf8)) == .number(150))
        #expect(try JSONParser().parse(Array(" \n\t[ ] ".utf8)) == .array([]))
    }
}

@Suite("Encoding straight to JSON values")
struct JSONValueEncoderTests {
    struct Odd: Codable {
        var optionalAbsent: String?
        var optionalPresent: Int? = 7
        var nested: [[Double]] = [[1.5, -0.0], []]
        var unsigned: UInt64 = 9_007_199_254_740_992
        var small: Int8 = -3
        var float: Float = 0.25
        var flags: [Bool] = [true, false]
        var map: [String: JSONValue] = ["b": .null, "a": .array([.string("é\u{1}")])]
        var text = "line\nbreak \"quoted\" \\ slash"
    }

    @Test("gives the bytes JSONEncoder and the parser give, for the project's types and odd ones")
    func sameAsJSONEncoder() throws {
        func both(_ value: some Encodable) throws -> ([UInt8], [UInt8]) {
            (try CanonicalJSON.encode(value), try CanonicalJSON.encode(value, encoder: JSONEncoder()))
        }
        let checks: [([UInt8], [UInt8])] = [
            try both(Odd()),
            try both(FederationFixture.household),
            try both(FederationFixture.agreement),
            try both(FederationFixture.consent),
            try both(FederationFixture.purposes),
            try both(EngineFixture.insuranceRequest(selector: .fieldEquals(field: "status", value: "active"))),
            try both(PolicyTests.consentRequest()),
        ]
        for (direct, viaText) in checks { #expect(direct == viaText, "\(String(decoding: direct, as: UTF8.self))") }
    }

    @Test("refuses what JSON cannot hold")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode(["x": Double.infinity]) }
    }
}
