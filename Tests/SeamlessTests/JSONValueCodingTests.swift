import Foundation
import SeamlessTestSupport
import Testing

@testable import Seamless

/// The hand-written readers and writers of the exchange messages and audit events against `Codable`: the same
/// canonical bytes as ``JSONValueEncoder``, the same values as `JSONDecoder`, and the same refusals, over the
/// examples, values built to cover every case, and broken variants of the examples.
@Suite("JSON value coding: hand-written readers and writers")
struct JSONValueCodingTests {
    // MARK: Comparing the two paths

    /// The canonical bytes the writer gives, checked against `JSONValueEncoder` and `CanonicalJSON.encode`.
    @discardableResult
    static func expectSameBytes<T: JSONValueEncodable>(
        _ value: T, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [UInt8] {
        let written = CanonicalJSON.serialize(value.jsonValue)
        let encoded = CanonicalJSON.serialize(try JSONValueEncoder.encode(value))
        #expect(
            String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self),
            "\(label): the writer and JSONValueEncoder differ", sourceLocation: sourceLocation)
        #expect(try CanonicalJSON.encode(value) == encoded, "\(label)", sourceLocation: sourceLocation)
        return written
    }

    /// Reads `bytes` as `T` both ways and checks they agree: the same value, or both refuse. Returns the
    /// reader's value, or its error.
    @discardableResult
    static func expectSameReading<T: JSONValueDecodable & Equatable>(
        _ type: T.Type, _ bytes: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Result<T, JSONReadError> {
        let decoded = try? JSONDecoder().decode(T.self, from: Data(bytes))
        let json = try JSONParser().parse(bytes)
        let read: Result<T, JSONReadError>
        do throws(JSONReadError) {
            read = .success(try T(json: json))
        } catch {
            read = .failure(error)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        switch (decoded, read) {
        case (let decoded?, .success(let value)):
            #expect(value == decoded, "\(label): the reader's value differs: \(text)", sourceLocation: sourceLocation)
        case (nil, .failure):
            break
        case (.some, .failure(let error)):
            Issue.record(
                "\(label): JSONDecoder reads it, the reader refuses (\(error)): \(text)", sourceLocation: sourceLocation
            )
        case (nil, .success):
            Issue.record(
                "\(label): JSONDecoder refuses it, the reader reads it: \(text)", sourceLocation: sourceLocation)
        }
        return read
    }

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    // MARK: Examples

    @Test("every exchange request example reads and writes as with Codable")
    func requestExamples() throws {
        let files = WireExamplesTests.files("exchange-request")
        #expect(files.count >= 3)
        for url in files {
            let read = try Self.expectSameReading(ExchangeRequest.self, try Self.bytes(url), url.lastPathComponent)
            let request = try read.get()
            let written = try Self.expectSameBytes(request, url.lastPathComponent)
            #expect(written + [0x0A] == (try Self.bytes(url)), "\(url.lastPathComponent)")
        }
    }

    @Test("every exchange response example reads and writes as with Codable")
    func responseExamples() throws {
        let files = WireExamplesTests.files("exchange-response")
        #expect(files.count >= 3)
        for url in files {
            let read = try Self.expectSameReading(ExchangeResponse.self, try Self.bytes(url), url.lastPathComponent)
            let response = try read.get()
            let written = try Self.expectSameBytes(response, url.lastPathComponent)
            #expect(written + [0x0A] == (try Self.bytes(url)), "\(url.lastPathComponent)")
        }
    }

    @Test("every example audit event and bundle entry writes the bytes JSONValueEncoder writes")
    func auditEventExamples() throws {
        let documents = try AuditEventReaderTests.documents()
        #expect(documents.count > 20)
        for (name, bytes) in documents {
            let event = try JSONDecoder().decode(AuditEvent.self, from: Data(bytes))
            let written = try Self.expectSameBytes(event, name)
            #expect(written == (try CanonicalJSON.canonicalize(bytes)), "\(name)")
            #expect(event.entry == written, "\(name): the entry writer")
            try Self.expectSameReading(AuditEvent.self, bytes, name)
            if let request = event.request { try Self.expectSameBytes(request, "\(name) request") }
            if let decision = event.decision { try Self.expectSameBytes(decision, "\(name) decision") }
        }
    }

    // MARK: Values built to cover every case

    static let selectors: [RecordSelector] = [
        .keys(["ps-300001", "ps-300002"]), .keys([]), .subjects(["subj-2c48e0d5"]),
        .fieldEquals(field: "district", value: "Jinshui \"East\"\n"), .all, .changedSince(0), .changedSince(28),
        .changedSince(-4),
    ]

    static var requests: [ExchangeRequest] {
        var requests: [ExchangeRequest] = []
        for (index, selector) in selectors.enumerated() {
            requests.append(
                ExchangeRequest(
                    resource: "gov.public-security/household-registration", fields: ["householdId", "district"],
                    selector: selector, purpose: "marriage-registration", legalBasis: nil))
            requests.append(
                ExchangeRequest(
                    resource: "gov.human-resources/social-insurance", fields: [], selector: selector,
                    purpose: "social-assistance.eligibility",
                    legalBasis: LegalBasis.allCases[index % LegalBasis.allCases.count],
                    consentIDs: ["consent-1", "consent-2"], subjects: ["subj-1"], dataLifeDays: 30 + index,
                    strict: true, after: "hh-000000\(index)", limit: index == 0 ? 10_000 : index))
        }
        for basis in LegalBasis.allCases {
            requests.append(
                ExchangeRequest(
                    resource: "gov.x/y", fields: ["a"], selector: .all, purpose: "p", legalBasis: basis,
                    dataLifeDays: 0, limit: 0))
        }
        return requests
    }

    static let fieldValues: [String: JSONValue] = [
        "null": nil, "true": true, "false": false, "zero": 0, "negative": -17, "fraction": 0.1, "large": 1e21,
        "tiny": 1e-7, "integral": 9_007_199_254_740_991, "subnormal": .number(Double(bitPattern: 1)),
        "text": "Zhōngyuán 区 \u{1F600}",
        "escapes": "\"\\\u{0}\u{1F}\t", "empty": "", "list": [1, "two", nil, [false], [:]],
        "nested": ["a": ["b": [1.5, -0.25]], "c": nil],
    ]

    static let decisions: [PolicyDecision] = {
        let bases = [
            DecisionBasis(catalogRevision: "sha256:00", purpose: "p"),
            DecisionBasis(
                catalogRevision: "sha256:11", purpose: "social-assistance.eligibility",
                matchedPurpose: "social-assistance", legalBasis: .consent, consentIDs: ["c-1", "c-2"],
                agreementID: "agr-1"),
        ]
        var decisions: [PolicyDecision] = []
        for basis in bases {
            decisions.append(
                PolicyDecision(outcome: .granted(Grant(fields: [], withheld: [], dataLifeDays: 0)), basis: basis))
            decisions.append(
                PolicyDecision(
                    outcome: .granted(Grant(fields: ["a", "b"], withheld: ["c"], dataLifeDays: 365)), basis: basis))
            for code in PolicyDenial.Code.allCodes {
                decisions.append(
                    PolicyDecision(outcome: .denied(PolicyDenial(code, "because of \(code)")), basis: basis))
            }
        }
        return decisions
    }()

    static var responses: [ExchangeResponse] {
        let records = [
            ResponseRecord(key: "k-1", subject: nil, fields: [:]),
            ResponseRecord(key: "k-2", subject: "subj-1", fields: fieldValues, version: 0),
            ResponseRecord(key: "k-3", subject: "", fields: ["only": "one"], version: 123_456_789),
            ResponseRecord(key: "", subject: nil, fields: ["n": -1], version: -1),
        ]
        var responses = [
            ExchangeResponse(requestHash: nil),
            ExchangeResponse(requestHash: nil, refusal: ExchangeRefusal(code: "too-large", reason: "the body is big")),
            ExchangeResponse(
                requestHash: "sha256:ab", refusal: ExchangeRefusal(code: "replayed-nonce", reason: ""), auditSequence: 7
            ),
        ]
        for (index, decision) in decisions.enumerated() {
            responses.append(
                ExchangeResponse(
                    requestHash: "sha256:\(index)", decision: decision,
                    records: decision.grant == nil ? [] : Array(records.prefix(index % (records.count + 1))),
                    next: index.isMultiple(of: 3) ? "k-\(index)" : nil,
                    auditSequence: index.isMultiple(of: 2) ? index : nil))
        }
        return responses
    }

    static var auditEvents: [AuditEvent] {
        var events: [AuditEvent] = []
        for (index, kind) in AuditEvent.Kind.allCases.enumerated() {
            let at = Timestamp(secondsSince1970: 1_793_000_000 + Int64(index))
            events.append(AuditEvent(kind: kind, at: at, node: "gov.civil-affairs"))
            var full = AuditEvent(kind: kind, at: at, node: "gov.public-security")
            full.sequence = index
            full.previous = String(repeating: "ab", count: 32)
            full.peer = "gov.civil-affairs"
            full.requestHash = "sha256:" + String(repeating: "0", count: 64)
            full.resource = "gov.public-security/household-registration"
            full.purpose = "marriage-registration"
            full.request = AccessRequest(
                requester: "gov.civil-affairs", resource: "gov.x/y", fields: ["a"], purpose: "p",
                legalBasis: index.isMultiple(of: 2) ? nil : .consent, consentIDs: ["c"], subjects: ["s"],
                dataLifeDays: index.isMultiple(of: 3) ? nil : 30, strict: index.isMultiple(of: 2), at: at)
            full.decision = decisions[index % decisions.count]
            full.fields = index.isMultiple(of: 4) ? [] : ["a", "b"]
            full.recordCount = 0
            full.responseHash = "sha256:" + String(repeating: "1", count: 64)
            full.dataLifeDays = 30
            full.expiresAt = at.adding(seconds: 86_400 * 30)
            full.reason = "data-life-ended"
            full.consentID = "consent-1"
            full.consentState = ConsentState.allCases[index % ConsentState.allCases.count]
            full.agreementID = "agr-1"
            full.agreementState = AgreementState.allCases[index % AgreementState.allCases.count]
            full.catalogRevision = "sha256:22"
            full.keyID = "key-2"
            full.previousKeyID = "key-1"
            full.checkpointSize = 1 << 40
            full.checkpointRoot = "AAAA"
            events.append(full)
        }
        return events
    }

    @Test("requests built for every selector, legal basis and optional member round-trip both ways")
    func builtRequests() throws {
        for (index, request) in Self.requests.enumerated() {
            let bytes = try Self.expectSameBytes(request, "request \(index)")
            let read = try Self.expectSameReading(ExchangeRequest.self, bytes, "request \(index)")
            #expect(try read.get() == request, "request \(index)")
        }
    }

    @Test("responses built for every outcome, denial code, record shape and optional member round-trip both ways")
    func builtResponses() throws {
        for (index, response) in Self.responses.enumerated() {
            let bytes = try Self.expectSameBytes(response, "response \(index)")
            let read = try Self.expectSameReading(ExchangeResponse.self, bytes, "response \(index)")
            #expect(try read.get() == response, "response \(index)")
        }
    }

    @Test("audit events of every kind, bare and with every member, round-trip both ways")
    func builtAuditEvents() throws {
        for event in Self.auditEvents {
            let bytes = try Self.expectSameBytes(event, "\(event.kind)")
            #expect(event.entry == bytes)
            let read = try Self.expectSameReading(AuditEvent.self, bytes, "\(event.kind)")
            #expect(try read.get() == event, "\(event.kind)")
        }
    }

    // MARK: Broken variants

    /// Values to put in place of a member or element.
    static let replacements: [JSONValue] = [
        nil, "x", "2026-11-02T09:30:00Z", 0, 1, 1.5, -3, 1e300, true, false, [], ["x"], [1], [:], ["all": true],
    ]

    /// Members added to every object: the ones whose mere presence matters (selector kinds, a decision's
    /// outcome) and one nobody knows.
    static let additions: [String: [JSONValue]] = [
        "keys": [["x"], nil], "subjects": [["x"]], "field": ["x"], "equals": ["x"], "all": [true, false, nil],
        "changedSince": [3, 3.5, nil], "granted": [["dataLifeDays": 1, "fields": [], "withheld": []], nil],
        "denied": [["code": "consent-missing", "reason": "r"], nil], "unknownMember": [1, nil],
    ]

    /// Every document that differs from `value` in one place: a member removed, replaced or added, an element
    /// replaced, appended or removed, recursively.
    static func variants(of value: JSONValue, depth: Int = 0) -> [JSONValue] {
        var variants: [JSONValue] = []
        switch value {
        case .object(let members):
            for (key, member) in members {
                var removed = members
                removed[key] = nil
                variants.append(.object(removed))
                for replacement in replacements where replacement != member {
                    var replaced = members
                    replaced[key] = replacement
                    variants.append(.object(replaced))
                }
                for inner in Self.variants(of: member, depth: depth + 1) {
                    var changed = members
                    changed[key] = inner
                    variants.append(.object(changed))
                }
            }
            for (key, values) in additions where members[key] == nil {
                for added in values {
                    var extended = members
                    extended[key] = added
                    variants.append(.object(extended))
                }
            }
        case .array(let elements):
            for replacement in replacements {
                variants.append(.array(elements + [replacement]))
            }
            if !elements.isEmpty { variants.append(.array(Array(elements.dropLast()))) }
            for (index, element) in elements.enumerated().prefix(2) {
                for inner in Self.variants(of: element, depth: depth + 1) + replacements where inner != element {
                    var changed = elements
                    changed[index] = inner
                    variants.append(.array(changed))
                }
            }
        default:
            break
        }
        return variants
    }

    /// Reads every broken variant of the examples in `folder` as `T` both ways, and checks that both outcomes
    /// (read and refused) were exercised many times.
    static func expectVariants<T: JSONValueDecodable & Equatable>(_ type: T.Type, _ folder: String) throws {
        var counts = (read: 0, refused: 0)
        for url in WireExamplesTests.files(folder) {
            for variant in variants(of: try JSONParser().parse(try bytes(url))) {
                let read = try expectSameReading(T.self, CanonicalJSON.serialize(variant), url.lastPathComponent)
                if case .success = read { counts.read += 1 } else { counts.refused += 1 }
            }
        }
        #expect(counts.read > 100 && counts.refused > 100, "\(folder): \(counts)")
    }

    @Test("broken variants of the request examples are read or refused exactly as JSONDecoder does")
    func requestVariants() throws {
        try Self.expectVariants(ExchangeRequest.self, "exchange-request")
    }

    @Test("broken variants of the response examples are read or refused exactly as JSONDecoder does")
    func responseVariants() throws {
        try Self.expectVariants(ExchangeResponse.self, "exchange-response")
    }

    @Test("broken variants of the example audit events are read or refused exactly as JSONDecoder does")
    func auditEventVariants() throws {
        try Self.expectVariants(AuditEvent.self, "audit-event")
    }

    // MARK: Refusals through an envelope

    /// An opened envelope with `payload` as its bytes, as the engine gets it.
    static func opened(_ payload: String) throws -> OpenedEnvelope {
        let fixture = try EnvelopeFixture()
        let opened = try fixture.opener.open(try fixture.seal())
        return OpenedEnvelope(header: opened.header, signer: opened.signer, payload: Array(payload.utf8))
    }

    /// The sentence `OpenedEnvelope.decode` gave before the readers: `JSONDecoder`'s error made a sentence.
    static func decoderSentence<T: Decodable>(_ type: T.Type, _ payload: String) -> String? {
        do {
            _ = try JSONDecoder().decode(T.self, from: Data(payload.utf8))
            return nil
        } catch let error as DecodingError {
            let issue = DocumentReader.issue(for: error, documentName: "\(T.self)")
            return "the payload is not a valid \(T.self): \(issue.path): \(issue.message)"
        } catch {
            return "the payload is not a valid \(T.self): \(error)"
        }
    }

    /// Checks that the reader, `JSONDecoder` and `OpenedEnvelope.decode` all refuse `payload`, the reader
    /// naming `path` and the envelope giving the decoder's sentence, as before.
    static func expectRefused<T: JSONValueDecodable & Equatable>(
        _ type: T.Type, _ payload: String, path: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let read = try expectSameReading(T.self, Array(payload.utf8), payload, sourceLocation: sourceLocation)
        guard case .failure(let error) = read else {
            Issue.record("the reader accepts \(payload)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
        let refusal = try #require(throws: EnvelopeError.self, sourceLocation: sourceLocation) {
            try opened(payload).decode(T.self)
        }
        #expect(refusal.code == .malformed, sourceLocation: sourceLocation)
        #expect(refusal.reason == decoderSentence(T.self, payload), sourceLocation: sourceLocation)
        #expect(refusal.reason.contains(": $"), "\(refusal.reason)", sourceLocation: sourceLocation)
    }

    @Test(
        "malformed requests are refused by both paths, naming the member",
        arguments: [
            (#"{"fields":["a"],"purpose":"p","selector":{"all":true}}"#, "$.resource"),
            (#"{"fields":["a"],"purpose":"p","resource":5,"selector":{"all":true}}"#, "$.resource"),
            (#"{"fields":["a"],"purpose":"p","resource":null,"selector":{"all":true}}"#, "$.resource"),
            (#"{"fields":["a",1],"purpose":"p","resource":"r","selector":{"all":true}}"#, "$.fields"),
            (#"{"fields":["a",null],"purpose":"p","resource":"r","selector":{"all":true}}"#, "$.fields"),
            (#"{"fields":"a","purpose":"p","resource":"r","selector":{"all":true}}"#, "$.fields"),
            (#"{"fields":["a"],"purpose":"p","resource":"r"}"#, "$.selector"),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"kind":"all"}}"#, "$.selector"),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"all":false}}"#, "$.selector"),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"all":null}}"#, "$.selector.all"),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"all":"yes"}}"#, "$.selector.all"),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"all":true,"keys":["k"]}}"#, "$.selector"),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"field":"f"}}"#, "$.selector"),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"keys":null}}"#, "$.selector.keys"),
            (
                #"{"fields":["a"],"purpose":"p","resource":"r","selector":{"changedSince":1.5}}"#,
                "$.selector.changedSince"
            ),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":[]}"#, "$.selector"),
            (#"{"fields":["a"],"limit":2.5,"purpose":"p","resource":"r","selector":{"all":true}}"#, "$.limit"),
            (#"{"fields":["a"],"limit":"10","purpose":"p","resource":"r","selector":{"all":true}}"#, "$.limit"),
            (
                #"{"dataLifeDays":1e300,"fields":["a"],"purpose":"p","resource":"r","selector":{"all":true}}"#,
                "$.dataLifeDays"
            ),
            (#"{"fields":["a"],"purpose":"p","resource":"r","selector":{"all":true},"strict":"yes"}"#, "$.strict"),
            (
                #"{"fields":["a"],"legalBasis":"hunch","purpose":"p","resource":"r","selector":{"all":true}}"#,
                "$.legalBasis"
            ),
            (#"{"consentIDs":{},"fields":["a"],"purpose":"p","resource":"r","selector":{"all":true}}"#, "$.consentIDs"),
            (#"["resource"]"#, "$"),
        ])
    func malformedRequests(payload: String, path: String) throws {
        try Self.expectRefused(ExchangeRequest.self, payload, path: path)
    }

    @Test("a request missing its resource gets the sentence the engine test pins")
    func missingResourceSentence() throws {
        let payload = #"{"fields":["insuredId"],"purpose":"social-assistance","selector":{"all":true}}"#
        let refusal = try #require(throws: EnvelopeError.self) {
            try Self.opened(payload).decode(ExchangeRequest.self)
        }
        #expect(
            refusal.reason
                == "the payload is not a valid ExchangeRequest: $.resource: the ExchangeRequest needs 'resource'")
    }

    static let basis = #""basis":{"catalogRevision":"r","consentIDs":[],"purpose":"p"}"#
    static let grant = #""granted":{"dataLifeDays":30,"fields":["a"],"withheld":[]}"#

    /// Broken responses, and broken decisions inside one, with the path the reader names.
    static let malformedResponsePayloads: [(String, String)] =
        [
            (#"{"requestHash":"sha256:00"}"#, "$.records"),
            (#"{"records":null}"#, "$.records"),
            (#"{"records":{}}"#, "$.records"),
            (#"{"records":[null]}"#, "$.records[0]"),
            (#"{"records":[{"fields":{}}]}"#, "$.records[0].key"),
            (#"{"records":[{"fields":{},"key":"k"},{"key":"k"}]}"#, "$.records[1].fields"),
            (#"{"records":[{"fields":null,"key":"k"}]}"#, "$.records[0].fields"),
            (#"{"records":[{"fields":[],"key":"k"}]}"#, "$.records[0].fields"),
            (#"{"records":[{"fields":{},"key":"k","version":1.5}]}"#, "$.records[0].version"),
            (#"{"records":[{"fields":{},"key":"k","subject":7}]}"#, "$.records[0].subject"),
            (#"{"records":[],"refusal":{"code":"x"}}"#, "$.refusal.reason"),
            (#"{"records":[],"refusal":"replayed-nonce"}"#, "$.refusal"),
            (#"{"auditSequence":-1.5,"records":[]}"#, "$.auditSequence"),
            (#"{"next":false,"records":[]}"#, "$.next"),
        ]
        + [
            ("{" + basis + "," + grant + #","denied":{"code":"consent-missing","reason":"r"}}"#, "$.decision.denied"),
            ("{" + basis + "," + grant + #","denied":null}"#, "$.decision.denied"),
            ("{" + basis + "}", "$.decision.granted"),
            ("{" + basis + #","denied":null,"granted":null}"#, "$.decision.granted"),
            ("{" + basis + #","denied":{"code":"no-such-code","reason":"r"}}"#, "$.decision.denied.code"),
            ("{" + basis + #","denied":{"code":"consent-missing"}}"#, "$.decision.denied.reason"),
            (
                "{" + basis + #","granted":{"dataLifeDays":30.5,"fields":[],"withheld":[]}}"#,
                "$.decision.granted.dataLifeDays"
            ),
            ("{" + basis + #","granted":{"dataLifeDays":30,"fields":[]}}"#, "$.decision.granted.withheld"),
            (#"{"basis":{"catalogRevision":"r","purpose":"p"},"# + grant + "}", "$.decision.basis.consentIDs"),
            (
                #"{"basis":{"catalogRevision":"r","consentIDs":[],"legalBasis":"hunch","purpose":"p"},"# + grant + "}",
                "$.decision.basis.legalBasis"
            ),
            ("{" + grant + "}", "$.decision.basis"),
        ].map { (#"{"decision":"# + $0.0 + #","records":[]}"#, $0.1) }

    @Test("malformed responses are refused by both paths, naming the member", arguments: malformedResponsePayloads)
    func malformedResponses(payload: String, path: String) throws {
        try Self.expectRefused(ExchangeResponse.self, payload, path: path)
    }

    // MARK: What both read

    @Test(
        "what JSONDecoder reads, the envelope reads to the same value",
        arguments: [
            // Unknown members anywhere, null or absent optionals and defaults, integers written as decimals.
            #"{"consentIDs":null,"extra":{"x":[1]},"fields":[],"purpose":"p","resource":"r","selector":{"all":true,"x":0},"strict":null,"subjects":null}"#,
            #"{"dataLifeDays":3e1,"fields":["a"],"limit":1.0,"purpose":"p","resource":"r","selector":{"changedSince":-0}}"#,
            #"{"after":null,"fields":["a"],"legalBasis":null,"limit":null,"purpose":"p","resource":"r","selector":{"equals":"v","field":"f"}}"#,
            #"{"fields":["a"],"limit":100.0000000000000001,"purpose":"p","resource":"r","selector":{"keys":[]}}"#,
        ])
    func acceptedRequests(payload: String) throws {
        let read = try Self.expectSameReading(ExchangeRequest.self, Array(payload.utf8), payload)
        #expect(try Self.opened(payload).decode(ExchangeRequest.self) == (try read.get()))
    }

    @Test(
        "what JSONDecoder reads as a response, the envelope reads to the same value",
        arguments: [
            #"{"decision":{"basis":{"catalogRevision":"r","consentIDs":[],"purpose":"p"},"denied":{"code":"consent-missing","reason":"r"},"granted":null},"records":[]}"#,
            #"{"auditSequence":null,"decision":null,"next":null,"records":[{"fields":{"a":null,"b":[null,{}],"c":-0},"key":"k","subject":null,"version":null}],"refusal":null,"requestHash":null,"x":1}"#,
            #"{"records":[{"fields":{"big":123456789012345678901234567890,"small":1e-320,"e":2E+3},"key":"k","version":7.0}]}"#,
        ])
    func acceptedResponses(payload: String) throws {
        let read = try Self.expectSameReading(ExchangeResponse.self, Array(payload.utf8), payload)
        #expect(try Self.opened(payload).decode(ExchangeResponse.self) == (try read.get()))
    }

    @Test("integers beyond 2^53, which a double cannot hold exactly, still decode to what JSONDecoder reads")
    func largeIntegers() throws {
        for number in ["9007199254740993", "9223372036854775807", "-9007199254740992"] {
            let payload = #"{"fields":["a"],"limit":\#(number),"purpose":"p","resource":"r","selector":{"all":true}}"#
            let request = try Self.opened(payload).decode(ExchangeRequest.self)
            #expect(request.limit.map(String.init) == number)
            #expect(request == (try JSONDecoder().decode(ExchangeRequest.self, from: Data(payload.utf8))))
        }
        try Self.expectRefused(
            ExchangeRequest.self,
            #"{"fields":["a"],"limit":9223372036854775808,"purpose":"p","resource":"r","selector":{"all":true}}"#,
            path: "$.limit")
    }

    @Test("a record value too small for a double is refused, as JSONDecoder refuses it; zero itself is read")
    func vanishingNumbers() throws {
        for number in ["1e-400", "-2.4E-324", "0." + String(repeating: "0", count: 330) + "1"] {
            let payload = #"{"records":[{"fields":{"n":\#(number)},"key":"k"}]}"#
            #expect(throws: (any Error).self) {
                try JSONDecoder().decode(ExchangeResponse.self, from: Data(payload.utf8))
            }
            let refusal = try #require(throws: EnvelopeError.self) {
                try Self.opened(payload).decode(ExchangeResponse.self)
            }
            #expect(refusal.reason.contains("is out of range"), "\(refusal)")
            // The skimmer the audit verifier reads with refuses it too.
            #expect(Array(payload.utf8).withUnsafeBytes { JSONSkimmer.topLevelMembers(of: $0, wanted: []) } == nil)
        }
        for zero in ["0e-400", "0.000", "-0.0E-999"] {
            let payload = #"{"records":[{"fields":{"n":\#(zero)},"key":"k"}]}"#
            #expect(try Self.opened(payload).decode(ExchangeResponse.self).records.first?.fields["n"] == 0)
        }
    }

    @Test("a decoder set up with its own strategies decodes as before")
    func decoderStrategies() throws {
        let payload = #"{"fields":["a"],"legal_basis":"consent","purpose":"p","resource":"r","selector":{"all":true}}"#
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try Self.opened(payload).decode(ExchangeRequest.self, decoder: decoder).legalBasis == .consent)
        #expect(try Self.opened(payload).decode(ExchangeRequest.self).legalBasis == nil)
        #expect(JSONDecoder().readsLikeDefault)
        #expect(!decoder.readsLikeDefault)
    }

    @Test("the exchange messages and audit events take the hand-written paths")
    func conformances() {
        let readers: [any Decodable.Type] = [
            ExchangeRequest.self, ExchangeResponse.self, ResponseRecord.self, ExchangeRefusal.self,
            RecordSelector.self, PolicyDecision.self, DecisionBasis.self, Grant.self, PolicyDenial.self,
            AccessRequest.self, AuditEvent.self,
        ]
        for type in readers {
            #expect(type is any JSONValueDecodable.Type, "\(type)")
            #expect(type is any JSONValueEncodable.Type, "\(type)")
        }
    }
}
