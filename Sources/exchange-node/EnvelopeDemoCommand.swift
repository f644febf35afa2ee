import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI
import SeamlessCrypto

/// The envelope layer on its own, for a newcomer: three departments' keys, a signed and compressed
/// request and record batch, and every way a forged, misdirected, stale or hostile envelope is refused.
struct EnvelopeDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the envelope layer: signed, compressed envelopes and every way a bad one is refused.",
        discussion: """
            Runs in a few seconds, touches nothing outside a temporary folder, exits 0 when every step
            behaved as it must. --keep DIR keeps the keys and envelopes for exploring with
            `exchange-node envelope open` and `exchange-audit inspect`.

            Example:
              swift run exchange-node envelope demo --keep /tmp/seamless-envelopes
            """
    )

    @Option(help: "Keep the departments' keys and the envelopes in this folder.")
    var keep: String?

    struct Department {
        let id: String
        let name: String
        let key: PrivateKey
    }

    func run() throws {
        var checks: [(String, Bool)] = []
        func step(_ title: String) { print("\n▸ \(title)") }
        func say(_ line: String) { print("  \(line)") }
        func check(_ what: String, _ passed: Bool) {
            checks.append((what, passed))
            say("\(passed ? "✓" : "✗") \(what)")
        }

        step("Three departments create their signing keys")
        let departments = try [
            ("gov.public-security", "Public Security (household registration)", SignatureAlgorithm.ed25519),
            ("gov.civil-affairs", "Civil Affairs (marriage registration)", .sm2sm3),
            ("gov.human-resources", "Human Resources and Social Security", .es256),
        ].map { Department(id: $0.0, name: $0.1, key: try PrivateKey.generate($0.2)) }
        for department in departments {
            say("\(department.id): \(department.key.algorithm) key \(department.key.kid) — \(department.name)")
        }
        let (security, civil, resources) = (departments[0], departments[1], departments[2])
        // Each node trusts the federation's keys, each bound to its node id.
        let federation = TrustStore(departments.map { TrustedKey($0.key.publicKey, nodeID: $0.id) })
        func opener(for department: Department) -> EnvelopeOpener {
            EnvelopeOpener(trust: federation, audience: .node(department.id))
        }

        step("Civil Affairs asks Public Security for a household record")
        let request: JSONValue = [
            "resource": "gov.public-security/household-registration",
            "fields": ["householdId", "district", "members"],
            "purpose": "marriage-registration.verify-household",
            "legalBasis": "statute",
            "subjects": ["subj-7f3a91c2"],
        ]
        let civilSealer = try EnvelopeSealer(key: civil.key, issuer: civil.id)
        let sealedRequest = try civilSealer.seal(request, type: .request, audience: security.id)
        say(
            "sealed: \(CanonicalJSON.serialize(request).count) bytes of canonical JSON → \(sealedRequest.bytes.count)-byte envelope, \(civil.key.algorithm)-signed"
        )
        let openedRequest = try opener(for: security).open(sealedRequest.bytes)
        check("Public Security verified the SM2 signature and read the request", try openedRequest.json() == request)

        step("Public Security answers with a batch of 2,000 records")
        let batch = Self.recordBatch(count: 2000)
        let batchBytes = CanonicalJSON.serialize(batch)
        let securitySealer = try EnvelopeSealer(key: security.key, issuer: security.id)
        let clock = ContinuousClock()
        var sealedBatch: SealedEnvelope?
        let sealTime = try clock.measure {
            sealedBatch = try securitySealer.seal(canonicalJSON: batchBytes, type: .response, audience: civil.id)
        }
        let response = sealedBatch!
        var openedBatch: OpenedEnvelope?
        let openTime = try clock.measure { openedBatch = try opener(for: civil).open(response.bytes) }
        say(
            "\(batchBytes.count) bytes of records → \(response.bytes.count)-byte envelope (zlib \(batchBytes.count / max(response.bytes.count, 1))× smaller)"
        )
        say("sealed in \(Self.milliseconds(sealTime)), verified and inflated in \(Self.milliseconds(openTime))")
        check("Civil Affairs received exactly the records Public Security sent", openedBatch?.payload == batchBytes)

        step("Envelopes that must be refused")
        func refusal(
            _ title: String, _ expected: EnvelopeError.Code, _ opener: EnvelopeOpener, _ bytes: [UInt8],
            now: Date = Date()
        ) {
            do {
                _ = try opener.open(bytes, now: now)
                check("\(title): accepted, but it should have been refused with \(expected)", false)
            } catch {
                check("\(title) → \(error.code)", error.code == expected)
                say("    \(error.reason)")
            }
        }
        var tampered = sealedRequest.bytes
        tampered[30] = tampered[30] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        refusal("one character of the request changed in transit", .badSignature, opener(for: security), tampered)
        refusal(
            "Human Resources replays the request it was never sent", .wrongAudience, opener(for: resources),
            sealedRequest.bytes)
        let outsider = try PrivateKey.generate(.ed25519)
        let forged = try EnvelopeSealer(key: outsider, issuer: civil.id).seal(
            request, type: .request, audience: security.id)
        refusal("an outsider's key claims to be Civil Affairs", .unknownKeyID, opener(for: security), forged.bytes)
        let impostor = try EnvelopeSealer(key: resources.key, issuer: civil.id).seal(
            request, type: .request, audience: security.id)
        refusal("Human Resources signs as Civil Affairs", .issuerMismatch, opener(for: security), impostor.bytes)
        refusal(
            "the request arrives again ten minutes later", .tooOld, opener(for: security), sealedRequest.bytes,
            now: Date(timeIntervalSinceNow: 600))
        let bomb = try civilSealer.seal(
            canonicalJSON: [UInt8](repeating: 0x20, count: 64 << 20), type: .request, audience: security.id)
        say("a signed zip bomb: \(bomb.bytes.count) bytes that would inflate to 64 MiB")
        refusal(
            "the zip bomb is stopped after inflating a bounded amount", .inflateRatioExceeded, opener(for: security),
            bomb.bytes)

        if let keep {
            try keepFiles(
                in: keep, departments: departments,
                envelopes: [
                    ("request.json", sealedRequest.bytes), ("response.json", response.bytes),
                    ("tampered.json", tampered),
                ])
            print("")
            say("kept in \(keep): keys/ and envelopes/ — try")
            say(
                "  exchange-node envelope open --trust \(keep)/keys/gov.civil-affairs.pub.pem --ignore-time --in \(keep)/envelopes/request.json"
            )
        }

        let failed = checks.filter { !$0.1 }
        print(
            "\nVerdict: \(failed.isEmpty ? "PASS" : "FAIL") — \(checks.count - failed.count) of \(checks.count) steps behaved as they must."
        )
        if !failed.isEmpty {
            throw ExitCode(1)
        }
    }

    private func keepFiles(in folder: String, departments: [Department], envelopes: [(String, [UInt8])]) throws {
        try Files.makeDirectory(folder + "/keys")
        try Files.makeDirectory(folder + "/envelopes")
        for department in departments {
            try Files.write(
                try department.key.pemRepresentation, to: "\(folder)/keys/\(department.id).key.pem", permissions: 0o600,
                overwrite: true)
            try Files.write(
                department.key.publicKey.pemRepresentation, to: "\(folder)/keys/\(department.id).pub.pem",
                permissions: 0o644, overwrite: true)
        }
        for (name, bytes) in envelopes {
            try Files.write(
                String(decoding: bytes, as: UTF8.self) + "\n", to: "\(folder)/envelopes/\(name)", permissions: 0o644,
                overwrite: true)
        }
    }

    /// Synthetic household records (~280 bytes each, pseudonymous ids, no real personal data).
    static func recordBatch(count: Int) -> JSONValue {
        let districts = ["Dongcheng", "Xicheng", "Chaoyang", "Haidian", "Fengtai", "Shijingshan"]
        let records: [JSONValue] = (0..<count).map { index in
            [
                "householdId": .string("hh-\(String(100_000 + index * 7919 % 900_000))"),
                "subject": .string("subj-\(String(index * 2_654_435_761 % 4_294_967_296, radix: 16))"),
                "district": .string(districts[index % districts.count]),
                "addressLine": .string("Building \(index % 40 + 1), Unit \(index % 6 + 1), Room \(index % 30 + 101)"),
                "registeredOn": .string("20\(10 + index % 15)-0\(index % 9 + 1)-1\(index % 9)"),
                "status": .string(index % 11 == 0 ? "moved-out" : "resident"),
                "members": .array(
                    (0..<(index % 4 + 1)).map { member in
                        [
                            "role": .string(member == 0 ? "head" : "member"),
                            "subject": .string("subj-\(String((index + member) * 40_503 % 65_536, radix: 16))"),
                        ]
                    }),
            ]
        }
        return ["resource": "gov.public-security/household-registration", "records": .array(records)]
    }

    static func milliseconds(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return ms < 10 ? String(format: "%.2f ms", ms) : String(format: "%.0f ms", ms)
    }
}
