import Foundation
import SeamlessTestSupport
import Testing

/// A free TCP port on 127.0.0.1 (bound, read and released; the node binds it again right after).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            guard bind(fd, socketAddress, length) == 0, getsockname(fd, socketAddress, &length) == 0 else {
                throw CancellationError()
            }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `exchange-node serve` running as its own process, stopped with SIGTERM.
final class ServingNode {
    let process = Process()
    private let output = Pipe()
    private(set) var lines: [String] = []

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: builtProduct("exchange-node"))
        process.arguments = ["serve"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait (at most 30 s) for the line that says it listens. Reading blocks until output comes, so a node
        // that hangs silently is killed when the time is up, which ends the read.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        defer { watchdog.cancel() }
        var buffer = Data()
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if String(decoding: buffer, as: UTF8.self).contains("serving ") { break }
        }
        lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Sends SIGTERM and returns the exit status and what it printed after.
    func stop() -> (status: Int32, output: String) {
        kill(process.processIdentifier, SIGTERM)
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

@Suite("exchange-node serve, request, status as separate processes")
struct ServeCLITests {
    @Test(
        "a node serves over HTTP; another requests with the CLI; CLI changes while it serves; SIGTERM signs a last checkpoint"
    )
    func serveAndRequest() throws {
        let dir = try TemporaryDirectory()
        let hr = dir.path("hr")
        let ca = dir.path("ca")
        let port = try freePort()
        let example = examplesDirectory.path
        let enrolment = "gov.human-resources/social-insurance-enrolment-status"
        for step in [
            [
                "init", "--dir", hr, "--id", "gov.human-resources", "--algorithm", "p256", "--listen",
                "127.0.0.1:\(port)",
            ],
            ["init", "--dir", ca, "--id", "gov.civil-affairs"],
            [
                "catalog", "import", "--node", hr,
                "\(example)/catalog-entry/human-resources.social-insurance-enrolment-status.json",
                "\(example)/catalog-entry/human-resources.social-insurance-contributions.json",
            ],
            ["purposes", "import", "--node", hr, "\(example)/purposes/registry.json"],
            ["calendar", "import", "--node", hr, "\(example)/calendar/prc-2026-2027.json"],
            [
                "records", "import", "--node", hr, enrolment,
                "\(example)/records/human-resources.social-insurance-enrolment-status.jsonl",
            ],
            ["keys", "generate", "--out", dir.path("authority"), "--name", "authority"],
        ] {
            let result = try node(step)
            #expect(result.status == 0, "\(step.prefix(2).joined(separator: " ")): \(result.stderr)")
        }
        let hrMember = try node(["federation", "member", "--node", hr, "--endpoint", "http://127.0.0.1:\(port)"])
        let caMember = try node(["federation", "member", "--node", ca, "--endpoint", "http://127.0.0.1:1"])
        let draft =
            #"{"federation":"gov.example-city","version":1,"members":["# + hrMember.stdoutText + ","
            + caMember.stdoutText + "]}"
        try draft.write(toFile: dir.path("draft.json"), atomically: true, encoding: .utf8)
        let signed = try node([
            "federation", "sign", "--key", dir.path("authority/authority.key.pem"), "--authority",
            "gov.federation-authority", "--in", dir.path("draft.json"), "--out", dir.path("federation.json"),
        ])
        #expect(signed.status == 0, "\(signed.stderr)")
        for folder in [hr, ca] {
            let installed = try node([
                "federation", "install", "--node", folder, "--file", dir.path("federation.json"), "--authority-key",
                dir.path("authority/authority.pub.pem"),
            ])
            #expect(installed.status == 0, "\(installed.stderr)")
        }

        let server = try ServingNode(["--node", hr, "--checkpoint-interval-ms", "200"])
        #expect(server.lines.contains("serving gov.human-resources at http://127.0.0.1:\(port)"), "\(server.lines)")
        let request = [
            "request", "--node", ca, "--resource", enrolment, "--fields", "insuredId,pensionEnrolled", "--purpose",
            "social-assistance.eligibility", "--key", "hr-100001",
        ]
        let granted = try node(request)
        #expect(granted.status == 0, "\(granted.stderr)")
        #expect(granted.stdoutText.contains("granted by gov.human-resources: 1 record"), "\(granted.stdoutText)")
        // While it serves, another process changes the node and writes its log; the server goes on.
        #expect(try node(["purposes", "import", "--node", hr, "\(example)/purposes/registry.json"]).status == 0)
        #expect(
            try node(["consent", "grant", "--node", hr, "\(example)/consent/consent-2026-000118.json"]).status == 0)
        let again = try node(request)
        #expect(again.status == 0, "\(again.stderr)")
        let denied = try node(request.dropLast(4) + ["--purpose", "marriage-registration", "--key", "hr-100001"])
        #expect(denied.status == 1 && denied.stderr.contains("purpose-not-allowed"), "\(denied.stderr)")
        // Conditional sharing across processes: apply over HTTP, the approver answers with the CLI on the
        // provider's node while it serves, the applicant checks and follows the feed.
        let applied = try node([
            "agreement", "request", "--node", ca, "--id", "agr-test-0001", "--resource",
            "gov.human-resources/social-insurance-contributions", "--fields", "insuredId,contributionStatus",
            "--purpose", "social-assistance.eligibility", "--basis", "statutory-duty", "--basis-reference",
            "Social Assistance Measures Art. 9", "--valid-until",
            "2027-11-01T00:00:00Z", "--every", "daily",
        ])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdoutText.contains("gov.human-resources recorded application agr-test-0001: applied"))
        #expect(applied.stdoutText.contains("its approver must answer by"), "\(applied.stdoutText)")
        let pending = try node(["status", "--node", hr])
        #expect(pending.stdoutText.contains("agr-test-0001 from gov.civil-affairs"), "\(pending.stdoutText)")
        let approved = try node(["agreement", "approve", "--node", hr, "agr-test-0001", "--by", "Director"])
        #expect(approved.status == 0, "\(approved.stderr)")
        let checked = try node([
            "agreement", "check", "--node", ca, "--provider", "gov.human-resources", "agr-test-0001",
        ])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdoutText.contains("agr-test-0001 at gov.human-resources: approved"), "\(checked.stdoutText)")
        #expect(checked.stdoutText.contains("following its daily feed"))
        let status = try node(["status", "--node", hr])
        #expect(
            status.status == 0 && status.stdoutText.contains("records        \(enrolment): 40"), "\(status.stdoutText)")
        #expect(status.stdoutText.contains("nothing waits for an answer"), "approved, so no longer pending")

        let stopped = server.stop()
        #expect(stopped.status == 0)
        #expect(stopped.output.contains("stopped gov.human-resources; last checkpoint at"), "\(stopped.output)")
        let bundle = dir.path("bundle")
        #expect(try node(["audit", "export", "--node", hr, "--out", bundle]).status == 0)
        let verified = try audit(["verify", bundle])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        let replayed = try audit(["replay", bundle])
        #expect(replayed.status == 0, "\(replayed.stdoutText)")
        let unreachable = try node(request)
        #expect(unreachable.status == 3 && unreachable.stderr.contains("unreachable"), "\(unreachable.stderr)")
    }
}

@Suite("exchange-node records import")
struct RecordsCLITests {
    @Test("a file with one bad line is refused whole, naming the line, the path and the rule")
    func allOrNothing() throws {
        let dir = try TemporaryDirectory()
        let hr = dir.path("hr")
        let example = examplesDirectory.path
        let resource = "gov.human-resources/social-insurance-enrolment-status"
        #expect(try node(["init", "--dir", hr, "--id", "gov.human-resources"]).status == 0)
        #expect(
            try node([
                "catalog", "import", "--node", hr,
                "\(example)/catalog-entry/human-resources.social-insurance-enrolment-status.json",
            ]).status == 0)
        var lines = try String(
            contentsOfFile: "\(example)/records/human-resources.social-insurance-enrolment-status.jsonl",
            encoding: .utf8
        ).split(separator: "\n").map(String.init)
        lines[5] = lines[5].replacingOccurrences(of: "\"pensionEnrolled\":true", with: "\"pensionEnrolled\":\"yes\"")
            .replacingOccurrences(of: "\"pensionEnrolled\":false", with: "\"pensionEnrolled\":\"yes\"")
        lines.append(#"{"fields":{"insuredId":"hr-999999","salary":1}}"#)
        lines.append(lines[0])
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: dir.path("bad.jsonl"), atomically: true, encoding: .utf8)
        let refused = try node(["records", "import", "--node", hr, resource, dir.path("bad.jsonl")])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("line 6: $.fields.pensionEnrolled"), "\(refused.stderr)")
        #expect(refused.stderr.contains("[records.bad-value]"))
        #expect(refused.stderr.contains("$.fields.salary") && refused.stderr.contains("[records.unknown-field]"))
        #expect(refused.stderr.contains("line \(lines.count): key 'hr-"), "\(refused.stderr)")
        #expect(refused.stderr.contains("appears twice in the file"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was imported"))
        let count = try node(["records", "count", "--node", hr])
        #expect(count.stdoutText.contains("\(resource)  0"), "\(count.stdoutText)")
        let other = try node([
            "records", "import", "--node", hr, "gov.public-security/household-registration", dir.path("bad.jsonl"),
        ])
        #expect(other.status == 1 && other.stderr.contains("is provided by another node"), "\(other.stderr)")
    }
}

@Suite("exchange-node on PostgreSQL: two replicas of one node")
struct PostgresReplicaTests {
    static let url = ProcessInfo.processInfo.environment["SEAMLESS_POSTGRES_URL"]
    static let required = ProcessInfo.processInfo.environment["SEAMLESS_REQUIRE_POSTGRES"] == "1"

    @Test(
        "two serve processes share one PostgreSQL database: both answer, one log without gaps, the bundle verifies",
        .enabled(if: url != nil || required, "SEAMLESS_POSTGRES_URL is not set (scripts/test.sh starts a server)"))
    func replicas() throws {
        let base = try #require(Self.url, "SEAMLESS_REQUIRE_POSTGRES=1 but SEAMLESS_POSTGRES_URL is not set")
        let schema = "replicas_\(UInt32.random(in: 0...UInt32.max))"
        let database = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        let dir = try TemporaryDirectory()
        let (hr, ca) = (dir.path("hr"), dir.path("ca"))
        let (portA, portB) = (try freePort(), try freePort())
        let example = examplesDirectory.path
        let enrolment = "gov.human-resources/social-insurance-enrolment-status"
        for step in [
            ["init", "--dir", hr, "--id", "gov.human-resources", "--database", database],
            ["init", "--dir", ca, "--id", "gov.civil-affairs"],
            [
                "catalog", "import", "--node", hr,
                "\(example)/catalog-entry/human-resources.social-insurance-enrolment-status.json",
            ],
            ["purposes", "import", "--node", hr, "\(example)/purposes/registry.json"],
            [
                "records", "import", "--node", hr, enrolment,
                "\(example)/records/human-resources.social-insurance-enrolment-status.jsonl",
            ],
            ["keys", "generate", "--out", dir.path("authority"), "--name", "authority"],
        ] {
            let result = try node(step)
            #expect(result.status == 0, "\(step.prefix(2).joined(separator: " ")): \(result.stderr)")
        }
        // Civil Affairs knows Human Resources at replica A's address first, then at replica B's.
        func federation(_ version: Int, port: Int) throws {
            let hrMember = try node(["federation", "member", "--node", hr, "--endpoint", "http://127.0.0.1:\(port)"])
            let caMember = try node(["federation", "member", "--node", ca, "--endpoint", "http://127.0.0.1:1"])
            let draft =
                #"{"federation":"gov.example-city","version":\#(version),"members":["# + hrMember.stdoutText + ","
                + caMember.stdoutText + "]}"
            try draft.write(toFile: dir.path("draft.json"), atomically: true, encoding: .utf8)
            let file = dir.path("federation-\(version).json")
            #expect(
                try node([
                    "federation", "sign", "--key", dir.path("authority/authority.key.pem"), "--authority",
                    "gov.federation-authority", "--in", dir.path("draft.json"), "--out", file,
                ]).status == 0)
            for folder in [hr, ca] {
                let installed = try node([
                    "federation", "install", "--node", folder, "--file", file, "--authority-key",
                    dir.path("authority/authority.pub.pem"),
                ])
                #expect(installed.status == 0, "\(installed.stderr)")
            }
        }
        try federation(1, port: portA)
        let replicaA = try ServingNode(["--node", hr, "--listen", "127.0.0.1:\(portA)"])
        let replicaB = try ServingNode(["--node", hr, "--listen", "127.0.0.1:\(portB)"])
        #expect(replicaA.lines.contains { $0.hasPrefix("serving gov.human-resources") }, "\(replicaA.lines)")
        #expect(replicaB.lines.contains { $0.hasPrefix("serving gov.human-resources") }, "\(replicaB.lines)")
        let request = [
            "request", "--node", ca, "--resource", enrolment, "--fields", "insuredId,pensionEnrolled", "--purpose",
            "social-assistance.eligibility", "--key", "hr-100001",
        ]
        for _ in 0..<3 { #expect(try node(request).status == 0) }
        try federation(2, port: portB)
        for _ in 0..<3 {
            let answered = try node(request)
            #expect(answered.status == 0, "\(answered.stderr)")
        }
        #expect(replicaA.stop().status == 0)
        #expect(replicaB.stop().status == 0)
        let bundle = dir.path("bundle")
        #expect(try node(["audit", "export", "--node", hr, "--out", bundle]).status == 0)
        let verified = try audit(["verify", bundle])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        #expect(try audit(["replay", bundle]).status == 0)
        let disclosures =
            try String(contentsOfFile: bundle + "/entries.jsonl", encoding: .utf8)
            .components(separatedBy: "\"kind\":\"disclosure\"").count - 1
        #expect(disclosures == 6, "six answers, from two replicas, in one log")
    }
}
