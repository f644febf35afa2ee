import Foundation
import SeamlessTestSupport
import Testing

@Suite("exchange-node demo")
struct DemoTests {
    @Test("the demo passes every step, and what it keeps opens with the CLI")
    func demo() throws {
        let dir = try TemporaryDirectory()
        let result = try node(["demo", "--keep", dir.path("kept")])
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
        let tampered = try audit([
            "inspect", "--trust", dir.path("kept/keys/gov.civil-affairs.pub.pem"),
            dir.path("kept/envelopes/tampered.json"),
        ])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("bad-signature"))
    }
}
