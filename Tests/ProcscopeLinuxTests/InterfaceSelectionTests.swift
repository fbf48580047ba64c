@testable import ProcscopeLinux
import Testing

/// Several -i: one interface is opened as itself, several through `any` with their indexes in the filter.
@Suite struct InterfaceSelectionTests {
    let indexes: [String: UInt32] = ["lo": 1, "eth0": 4, "veth9": 12]
    func index(_ name: String) -> UInt32 { indexes[name] ?? 0 }

    @Test("One interface is opened as itself, with the user's filter untouched")
    func oneInterface() throws {
        let selection = try InterfaceSelection(["eth0"], filter: "tcp", index: index)
        #expect(selection.device == "eth0" && selection.kernelFilter == "tcp" && selection.names == ["eth0"])
        #expect(selection.description == "eth0")
    }

    @Test("Several are captured through any, narrowed to their indexes ahead of the user's filter, repeats once")
    func severalInterfaces() throws {
        let selection = try InterfaceSelection(["lo", "eth0", "lo", "veth9"], filter: "tcp port 80", index: index)
        #expect(selection.device == "any")
        #expect(selection.names == ["lo", "eth0", "veth9"])
        #expect(selection.kernelFilter == "(ifindex 1 or ifindex 4 or ifindex 12) and (tcp port 80)")
        #expect(selection.description == "lo, eth0 and veth9")
        let unfiltered = try InterfaceSelection(["lo", "eth0"], filter: nil, index: index)
        #expect(unfiltered.kernelFilter == "(ifindex 1 or ifindex 4)")
    }

    @Test("any among several is any, unnarrowed; an unknown name is refused with the interfaces there are")
    func anyAndUnknown() throws {
        let any = try InterfaceSelection(["lo", "any"], filter: nil, index: index)
        #expect(any.device == "any" && any.kernelFilter == nil && any.names == ["any"])
        #expect(throws: CaptureError.self) { try InterfaceSelection(["lo", "nosuch0"], filter: nil, index: index) }
    }
}
