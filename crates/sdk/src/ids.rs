//! Typed addresses of registered assets: an app's address is not a workerpool's.

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

macro_rules! asset_address {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Address);

        impl $name {
            /// The plain address.
            pub const fn address(self) -> Address {
                self.0
            }
        }

        impl From<Address> for $name {
            fn from(address: Address) -> Self {
                Self(address)
            }
        }

        impl From<$name> for Address {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = <Address as FromStr>::Err;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Address::from_str(s).map(Self)
            }
        }
    };
}

asset_address!(
    /// The address of an app (an entry of the App registry).
    AppAddress
);
asset_address!(
    /// The address of a dataset (an entry of the Dataset registry).
    DatasetAddress
);
asset_address!(
    /// The address of a workerpool (an entry of the Workerpool registry).
    WorkerpoolAddress
);
