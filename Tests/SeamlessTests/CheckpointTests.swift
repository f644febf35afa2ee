import Foundation
import SeamlessCrypto
import SeamlessTestSupport
import Testing

@testable import Seamless

@Suite("Checkpoints as signed notes")
struct CheckpointTests {
    static func checkpoint(size: Int = 40) -> Checkpoint {
        var tree = MerkleTree()
        for index in 0..<size { tree.append(leafHash: MerkleHash.leaf(Array("entry-\(index)".utf8))) }
        return Checkpoint(origin: "gov.public-security/audit", size: size, root: tree.root())
    }

    @Test("a checkpoint signed by the node key opens with that key", arguments: SignatureAlgorithm.allCases)
    func roundTrip(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let note = try Self.checkpoint().signed(name: "gov.public-security", with: key)
        let text = note.serialized
        #expect(text.hasPrefix("gov.public-security/audit\n40\n"))
        #expect(text.contains("\n\n— gov.public-security "))
        let (checkpoint, signers) = try Checkpoint.open(
            text, keys: [NoteKey(name: "gov.public-security", publicKey: key.publicKey)])
        #expect(checkpoint == Self.checkpoint())
        #expect(signers.count == 1)
    }

    @Test("witness cosignatures add lines; unknown keys are ignored, a known key that fails refuses the note")
    func cosignatures() throws {
        let log = try PrivateKey.generate(.ed25519)
        let witness = try PrivateKey.generate(.sm2sm3)
        let stranger = try PrivateKey.generate(.es256)
        var note = try Self.checkpoint().signed(name: "gov.public-security", with: log)
        note.signatures.append(try NoteKey.sign(note.text, name: "gov.civil-affairs", with: witness))
        note.signatures.append(try NoteKey.sign(note.text, name: "gov.unknown", with: stranger))
        let keys = [
            NoteKey(name: "gov.public-security", publicKey: log.publicKey),
            NoteKey(name: "gov.civil-affairs", publicKey: witness.publicKey),
        ]
        let reparsed = try SignedNote.parse(note.serialized)
        #expect(reparsed == note)
        #expect(try reparsed.verify(with: keys).map(\.name) == ["gov.public-security", "gov.civil-affairs"])
        var forged = note
        forged.signatures[1].signature[3] ^= 0x01
        let error = #expect(throws: NoteError.self) { try forged.verify(with: keys) }
        #expect(error?.code == .badSignature)
        let onlyStranger = #expect(throws: NoteError.self) {
            try note.verify(with: [NoteKey(name: "gov.x", publicKey: stranger.publicKey)])
        }
        #expect(onlyStranger?.code == .notVerified)
    }

    @Test("a changed size or root breaks the signature")
    func tamperedBody() throws {
        let key = try PrivateKey.generate(.ed25519)
        let text = try Self.checkpoint().signed(name: "gov.public-security", with: key).serialized
        let keys = [NoteKey(name: "gov.public-security", publicKey: key.publicKey)]
        for tampered in [
            text.replacingOccurrences(of: "\n40\n", with: "\n41\n"),
            text.replacingOccurrences(of: "gov.public-security/audit", with: "gov.public-security/audjt"),
        ] {
            #expect(throws: NoteError.self) { _ = try Checkpoint.open(tampered, keys: keys) }
        }
    }

    @Test(
        "malformed notes and checkpoint bodies are refused",
        arguments: [
            "no blank line\n— a AAAAAAAA\n",
            "gov.x/audit\n1\nAAAA\n\n— a ####\n",
            "gov.x/audit\n1\nAAAA\n\n— a\n",
            "gov.x/audit\n1\nAAAA\n\n",
            "gov.x/audit\u{7}\n1\nAAAA\n\n— a AAAAAAAA\n",
            "gov.x/audit\n1\nAAAA\n\n— a AAAAAAAA",
        ])
    func malformed(note: String) {
        let error = #expect(throws: NoteError.self) { _ = try SignedNote.parse(note) }
        #expect(error?.code == .malformed)
    }

    @Test(
        "checkpoint bodies: three lines, decimal size, 32-byte root",
        arguments: [
            "gov.x/audit\n01\n" + Base64.encode([UInt8](repeating: 1, count: 32)) + "\n",
            "gov.x/audit\n-1\n" + Base64.encode([UInt8](repeating: 1, count: 32)) + "\n",
            "gov.x/audit\n1\n" + Base64.encode([UInt8](repeating: 1, count: 31)) + "\n",
            "gov.x/audit\n1\n" + Base64.encode([UInt8](repeating: 1, count: 32)) + "\nextension\n",
            "\n1\n" + Base64.encode([UInt8](repeating: 1, count: 32)) + "\n",
        ])
    func badBodies(body: String) {
        let error = #expect(throws: NoteError.self) { _ = try Checkpoint(body: body) }
        #expect(error?.code == .badCheckpoint)
    }

    @Test(
        "an Ed25519 checkpoint verifies with an independent implementation (Python cryptography)",
        .enabled(if: pythonInteropAvailable))
    func independentEd25519() throws {
        let key = try PrivateKey.generate(.ed25519)
        let text = try Self.checkpoint().signed(name: "gov.public-security", with: key).serialized
        let dir = try TemporaryDirectory()
        let notePath = try dir.write("note", text)
        let keyPath = try dir.write("pub.pem", key.publicKey.pemRepresentation)
        let script = """
            import base64, hashlib, sys
            from cryptography.hazmat.primitives.serialization import load_pem_public_key, Encoding, PublicFormat
            note = open(sys.argv[1], encoding="utf-8").read()
            pub = load_pem_public_key(open(sys.argv[2], "rb").read())
            raw = pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
            text, sigs = note.rsplit("\\n\\n", 1)
            text += "\\n"
            dash, name, blob = sigs.strip("\\n").split(" ")
            blob = base64.b64decode(blob)
            assert dash == "\\u2014", dash
            assert blob[:4] == hashlib.sha256(name.encode() + b"\\n" + b"\\x01" + raw).digest()[:4], "key id"
            pub.verify(blob[4:], text.encode())
            print("ok", name, text.splitlines()[1])
            """
        let result = try runChecked("python3", ["-c", script, notePath, keyPath])
        #expect(result.stdoutText == "ok gov.public-security 40\n")
    }
}
