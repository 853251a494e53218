// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {App} from "../../../src/registries/App.sol";
import {AppRegistry} from "../../../src/registries/AppRegistry.sol";

contract AppRegistryCreateAppTest is RegistriesFixture {
    bytes private constant MULTIADDR = bytes("docker.io/iexechub/hello-world:1.0.0");
    bytes private constant MRENCLAVE =
        bytes('{"framework":"SCONE","version":"v5.9","fingerprint":"abc"}');

    function test_createsAppAtPredictedAddress() public {
        address predicted =
            appRegistry.predictApp(alice, "hello", "DOCKER", MULTIADDR, APP_CHECKSUM, MRENCLAVE);

        vm.expectEmit(address(appRegistry));
        emit IERC721.Transfer(address(0), alice, _id(predicted));
        vm.prank(bob); // creation is permissionless; the caller picks the owner
        address created =
            appRegistry.createApp(alice, "hello", "DOCKER", MULTIADDR, APP_CHECKSUM, MRENCLAVE);

        assertEq(created, predicted, "created == predicted");
        assertEq(appRegistry.ownerOf(_id(created)), alice, "ownerOf");
        assertEq(appRegistry.balanceOf(alice), 1, "balanceOf");
        assertEq(appRegistry.totalSupply(), 1, "totalSupply");
        assertTrue(appRegistry.isRegistered(created), "isRegistered");
        assertEq(created.code, _cloneRuntime(appRegistry.master()), "EIP-1167 clone of the master");

        App app = App(created);
        assertEq(app.owner(), alice, "owner");
        assertEq(app.registry(), address(appRegistry), "registry");
        assertEq(app.m_appName(), "hello");
        assertEq(app.m_appType(), "DOCKER");
        assertEq(app.m_appMultiaddr(), MULTIADDR, "multiaddr");
        assertEq(app.m_appChecksum(), APP_CHECKSUM, "checksum");
        assertEq(app.m_appMREnclave(), MRENCLAVE, "mrenclave");
    }

    function test_storesLongValues() public {
        string memory longName = string(new bytes(100));
        bytes memory longMultiaddr = new bytes(300);
        longMultiaddr[299] = 0x42;
        App app =
            App(appRegistry.createApp(alice, longName, "DOCKER", longMultiaddr, APP_CHECKSUM, ""));
        assertEq(app.m_appName(), longName);
        assertEq(app.m_appMultiaddr(), longMultiaddr, "multiaddr");
        assertEq(app.m_appMREnclave(), "", "mrenclave");
    }

    /// The NFT is minted with `_mint`: a contract that does not implement `onERC721Received`
    /// (like this test contract) can own an app.
    function test_mintsToContractsWithoutReceiverHook() public {
        App app = _createApp(address(this), "hello");
        assertEq(app.owner(), address(this), "owner");
    }

    function test_sameParametersForAnotherOwnerGiveAnotherApp() public {
        App first = _createApp(alice, "hello");
        App second = _createApp(bob, "hello");
        assertTrue(address(first) != address(second), "distinct addresses");
        assertEq(first.owner(), alice, "first owner");
        assertEq(second.owner(), bob, "second owner");
        assertEq(appRegistry.totalSupply(), 2, "totalSupply");
    }

    function test_revertsWhenAlreadyRegistered() public {
        App app = _createApp(alice, "hello");
        vm.expectRevert(
            abi.encodeWithSelector(IRegistryErrors.AlreadyRegistered.selector, address(app))
        );
        _createApp(alice, "hello");
    }

    function test_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.ZeroOwner.selector));
        appRegistry.createApp(address(0), "hello", "DOCKER", MULTIADDR, APP_CHECKSUM, "");
    }

    function test_gas() public {
        AppRegistry registry = appRegistry;
        address owner = alice;
        uint256 gasBefore = gasleft();
        registry.createApp(owner, "hello", "DOCKER", MULTIADDR, APP_CHECKSUM, "");
        emit log_named_uint("createApp (first app, short strings)", gasBefore - gasleft());
        gasBefore = gasleft();
        registry.createApp(owner, "hello2", "DOCKER", MULTIADDR, APP_CHECKSUM, "");
        emit log_named_uint("createApp (second app, same owner)", gasBefore - gasleft());
    }

    function testFuzz_createMatchesPredict(
        address owner,
        string calldata name,
        string calldata appType,
        bytes calldata multiaddr,
        bytes32 checksum,
        bytes calldata mrenclave
    ) public {
        vm.assume(owner != address(0));
        address predicted =
            appRegistry.predictApp(owner, name, appType, multiaddr, checksum, mrenclave);
        App app = App(appRegistry.createApp(owner, name, appType, multiaddr, checksum, mrenclave));
        assertEq(address(app), predicted, "created == predicted");
        assertEq(app.owner(), owner, "owner");
        assertEq(app.m_appName(), name);
        assertEq(app.m_appType(), appType);
        assertEq(app.m_appMultiaddr(), multiaddr, "multiaddr");
        assertEq(app.m_appChecksum(), checksum, "checksum");
        assertEq(app.m_appMREnclave(), mrenclave, "mrenclave");
    }
}
