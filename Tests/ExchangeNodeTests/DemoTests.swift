import Foundation
import SeamlessTestSupport
import Testing

@Suite("exchange-node demo")
struct DemoTests {
    @Test("the demo runs every step over HTTP, passes, and what it keeps is a working federation")
    func demo() throws {
        let dir = try TemporaryDirectory()
        let kept = dir.path("kept")
        let result = try node(["demo", "--keep", kept])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        let text = result.stdoutText
        #expect(text.contains("Verdict: PASS"), "\(text)")
        for expected in [
            "refused, agreement-required", "granted under agr-demo-0001", "only that subject's 1 record",
            "refused: purpose-not-allowed", "refused, consent-withdrawn", "purged the subject's data",
            "the next sync brings just that change: 1 record", "refused: replayed-nonce (HTTP 409)",
            "every disclosure has its receipt", "6 witness rounds, no inconsistency",
        ] {
            #expect(text.contains(expected), "the demo shows: \(expected)")
        }
        for department in ["gov.public-security", "gov.civil-affairs", "gov.human-resources"] {
            let verified = try audit(["verify", kept + "/bundles/" + department])
            #expect(verified.status == 0, "\(verified.stdoutText)")
            let replayed = try audit(["replay", kept + "/bundles/" + department])
            #expect(replayed.status == 0, "\(replayed.stdoutText)")
        }
        let crossed = try audit([
            "cross-check", kept + "/bundles/gov.human-resources", kept + "/bundles/gov.civil-affairs",
        ])
        #expect(crossed.status == 0, "\(crossed.stdoutText)")
        let shown = try node(["federation", "show", "--node", kept + "/nodes/civil-affairs"])
        #expect(shown.status == 0 && shown.stdoutText.contains("gov.example-city version 2"), "\(shown.stderr)")
    }

    @Test("the envelope walk-through still passes every step, and what it keeps opens with the CLI")
    func envelopeDemo() throws {
        let dir = try TemporaryDirectory()
        let result = try node(["envelope", "demo", "--keep", dir.path("kept")])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.contains("Verdict: PASS"))
        for code in [
            "bad-signature", "wrong-audience", "unknown-key-id", "issuer-mismatch", "too-old", "inflate-ratio-exceeded",
        ] {
            #expect(result.stdoutText.contains("→ \(code)"), "the demo shows \(code)")
        }
        let opened = try node([
            "envelope", "open", "--trust", dir.path("kept/keys/gov.civil-affairs.pub.pem"), "--ignore-time",
            "--audience", "gov.public-security", "--in", dir.path("kept/envelopes/request.json"),
        ])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(opened.stdoutText.contains("household-registration"))
    }
}
