//! The entity types the extractor pulls, and their names in the API and on disk.

use serde::{Deserialize, Serialize};

/// An entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    /// Orders (`orders` list).
    Orders,
    /// Datasets (`datasets` list).
    Datasets,
    /// Collections (`collections` list).
    Collections,
    /// Users (`users` list).
    Users,
}

impl EntityType {
    /// Every type, in extraction order.
    pub const ALL: [EntityType; 4] = [Self::Orders, Self::Datasets, Self::Collections, Self::Users];

    /// The name on the command line and on disk (`datasets`); also the list field of the API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Orders => "orders",
            Self::Datasets => "datasets",
            Self::Collections => "collections",
            Self::Users => "users",
        }
    }

    /// The GraphQL object type (`Dataset`).
    pub fn object_type(self) -> &'static str {
        match self {
            Self::Orders => "Order",
            Self::Datasets => "Dataset",
            Self::Collections => "Collection",
            Self::Users => "User",
        }
    }

    /// The `DataType` enum value of the feed (`DATASET`).
    pub fn data_type(self) -> &'static str {
        match self {
            Self::Orders => "ORDER",
            Self::Datasets => "DATASET",
            Self::Collections => "COLLECTION",
            Self::Users => "USER",
        }
    }

    /// The field of a feed `Change` holding the entity (`dataset`).
    pub fn change_field(self) -> &'static str {
        match self {
            Self::Orders => "order",
            Self::Datasets => "dataset",
            Self::Collections => "collection",
            Self::Users => "user",
        }
    }

    /// Parses a command-line name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name.trim().to_ascii_lowercase())
    }

    /// The type of a feed `DataType` value.
    pub fn from_data_type(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.data_type() == value)
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
