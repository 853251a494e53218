// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {AppInfo} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewAppTest is PocoUnitFixture {
    function test_registrationData() public view {
        AppInfo memory info = hub.viewApp(app);
        assertEq(info.owner, appOwner, "owner");
        assertEq(info.m_appName, "hello", "name");
        assertEq(info.m_appType, "DOCKER", "type");
        assertEq(info.m_appMultiaddr, bytes("docker.io/poco/hello:1"), "multiaddr");
        assertEq(info.m_appChecksum, keccak256("image"), "checksum");
        assertEq(info.m_appMREnclave.length, 0, "no enclave");
    }

    function test_teeApp() public {
        bytes memory mrenclave = bytes('{"framework":"SCONE","version":"v5.9","fingerprint":"abc"}');
        address teeApp = appRegistry.createApp(
            stranger, "tee", "DOCKER", "docker.io/tee:1", bytes32(uint256(7)), mrenclave
        );
        AppInfo memory info = hub.viewApp(teeApp);
        assertEq(info.owner, stranger, "owner");
        assertEq(info.m_appMREnclave, mrenclave, "mrenclave");
    }

    function test_currentOwner() public {
        vm.prank(appOwner);
        appRegistry.transferFrom(appOwner, stranger, uint256(uint160(app)));
        assertEq(hub.viewApp(app).owner, stranger, "NFT owner");
    }

    function test_revertsForANonApp() public {
        vm.expectRevert();
        hub.viewApp(stranger);
    }
}
