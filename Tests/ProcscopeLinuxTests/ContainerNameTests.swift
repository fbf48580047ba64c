import Foundation
@testable import ProcscopeCore
@testable import ProcscopeLinux
import Testing

/// Names people recognise, from what the runtimes and systemd leave: cgroup files as each runtime makes them
/// (`Fixtures/cgroup`) and the runtimes' state (`Fixtures/runtime`, laid out as under /).
@Suite struct ContainerNameTests {
    static let docker = "3f2a9c1e5b7d4f60a8e2c4b6d8f0a1b3c5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a3"
    static let kubernetes = "9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
    static let crio = "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"
    static let podman = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
    static let pod = "8f14e45f-ceea-467f-a0f6-1f2c3d4e5f60"

    func workload(_ file: String) throws -> CgroupWorkload {
        let text = try String(contentsOfFile: Fixture.path("cgroup/\(file).cgroup"), encoding: .utf8)
        return CgroupWorkload(path: ProcessIdentityReader.parseCgroup(text))
    }

    typealias Expected = (runtime: String?, id: String?, pod: String?, unit: String?)
    static let cases: [(String, Expected)] = [
        ("docker-systemd", ("docker", docker, nil, nil)),
        ("docker-cgroupfs-hybrid", ("docker", docker, nil, nil)),
        ("containerd-kubernetes", ("containerd", kubernetes, pod, nil)),
        ("crio-kubernetes", ("cri-o", crio, pod, nil)),
        ("kubernetes-cgroupfs", ("kubernetes", kubernetes, pod, nil)),
        ("podman", ("podman", podman, nil, nil)),
        ("podman-rootless", ("podman", podman, nil, nil)),
        ("podman-conmon", (nil, nil, nil, nil)),
        ("systemd-service", (nil, nil, nil, "nginx.service")),
        ("systemd-user-service", (nil, nil, nil, "syncthing.service")),
        ("systemd-user-scope", (nil, nil, nil, "app-firefox-1234.scope")),
        ("systemd-session", (nil, nil, nil, "session-3.scope")),
        ("root", (nil, nil, nil, nil)),
    ]

    @Test("Each runtime's and systemd's cgroup paths name the container (runtime, id, pod) or the unit",
          arguments: cases)
    func cgroupPathsNameTheWorkload(file: String, expected: Expected) throws {
        let found = try workload(file)
        #expect(found.container?.runtime == expected.runtime)
        #expect(found.container?.id == expected.id)
        #expect(found.container?.podUID == expected.pod)
        #expect(found.unit == expected.unit)
    }

    @Test("The runtimes' state names docker's and podman's containers and a Kubernetes pod, its namespace and container")
    func runtimeStateNamesContainers() throws {
        let reader = ContainerNameReader(root: Fixture.path("runtime"))
        #expect(reader.names(try #require(try workload("docker-systemd").container)) == ContainerNames(container: "web"))
        #expect(reader.names(try #require(try workload("podman").container)) == ContainerNames(container: "db"))
        #expect(reader.names(try #require(try workload("containerd-kubernetes").container))
                == ContainerNames(container: "app", pod: "checkout-7d9f6", namespace: "shop"))
        // CRI-O's container has no log file here: the pod is named, the container is not.
        #expect(reader.names(try #require(try workload("crio-kubernetes").container))
                == ContainerNames(container: nil, pod: "checkout-7d9f6", namespace: "shop"))
        // Nothing readable (a host without the runtime): no names, and no error.
        #expect(ContainerNameReader(root: "/nonexistent").names(try #require(try workload("docker-systemd").container)).isEmpty)
    }

    @Test("--container takes a name, the start of an id or part of the path; --unit a unit with or without .service")
    func filtersByContainerAndUnit() throws {
        let web = ProcessIdentity(pid: 1, startTime: .zero, name: "nginx", executable: nil, commandLine: [], uid: 0,
                                  userName: "root", networkNamespace: 1,
                                  cgroup: "/system.slice/docker-\(Self.docker).scope",
                                  containerNames: ContainerNames(container: "web"))
        let service = ProcessIdentity(pid: 2, startTime: .zero, name: "nginx", executable: nil, commandLine: [], uid: 0,
                                      userName: "root", networkNamespace: 1, cgroup: "/system.slice/nginx.service")
        #expect(OwnerFilter(containers: ["web"]).keeps(web) && !OwnerFilter(containers: ["web"]).keeps(service))
        #expect(OwnerFilter(containers: ["3f2a9c1e5b7d"]).keeps(web))
        #expect(!OwnerFilter(containers: ["9c1e5b7d"]).keeps(service))
        #expect(OwnerFilter(units: ["nginx"]).keeps(service) && OwnerFilter(units: ["nginx.service"]).keeps(service))
        #expect(!OwnerFilter(units: ["nginx"]).keeps(web))
    }
}
