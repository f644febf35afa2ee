import Foundation
import SeamlessTestSupport

/// Runs a built Seamless command.
func node(_ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
    try run(builtProduct("exchange-node"), arguments, input: input)
}

func audit(_ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
    try run(builtProduct("exchange-audit"), arguments, input: input)
}

/// Runs the independent Python interop script.
func joseInterop(_ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
    try run(
        "python3", [repositoryRoot.appendingPathComponent("scripts/interop/jose_interop.py").path] + arguments,
        input: input)
}

let examplesDirectory = repositoryRoot.appendingPathComponent("Schemas/examples")
