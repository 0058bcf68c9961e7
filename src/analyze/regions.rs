//! Azure clouds and their region names.
//!
//! In: a `cloud` value or a location as written. Out: the cloud, the
//! canonical region name (lowercase, no spaces) and which cloud a region
//! belongs to; unknown regions are left to the caller to warn about.

/// The three Azure clouds an estate can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cloud {
    Public,
    China,
    UsGov,
}

impl Cloud {
    /// The cloud a `defaults cloud=` value names.
    #[must_use]
    pub fn parse(text: &str) -> Option<Cloud> {
        match text {
            "public" => Some(Cloud::Public),
            "china" => Some(Cloud::China),
            "usgov" => Some(Cloud::UsGov),
            _ => None,
        }
    }

    /// The spelling used in the language and in the plan.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::China => "china",
            Cloud::UsGov => "usgov",
        }
    }

    fn regions(self) -> &'static [&'static str] {
        match self {
            Cloud::Public => PUBLIC,
            Cloud::China => CHINA,
            Cloud::UsGov => USGOV,
        }
    }
}

const PUBLIC: &[&str] = &[
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "centraluseuap",
    "chilecentral",
    "denmarkeast",
    "eastasia",
    "eastus",
    "eastus2",
    "eastus2euap",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

const CHINA: &[&str] = &[
    "chinaeast",
    "chinaeast2",
    "chinaeast3",
    "chinanorth",
    "chinanorth2",
    "chinanorth3",
];

const USGOV: &[&str] = &[
    "usdodcentral",
    "usdodeast",
    "usgovarizona",
    "usgoviowa",
    "usgovtexas",
    "usgovvirginia",
];

const CLOUDS: [Cloud; 3] = [Cloud::Public, Cloud::China, Cloud::UsGov];

/// The canonical spelling of a location: lowercase, spaces removed
/// (`West Europe` -> `westeurope`), as Azure itself normalises it.
#[must_use]
pub fn canonical(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The cloud a canonical region name belongs to, if it is known.
#[must_use]
pub fn cloud_of(region: &str) -> Option<Cloud> {
    CLOUDS
        .into_iter()
        .find(|c| c.regions().binary_search(&region).is_ok())
}

/// Every known region of every cloud, for did-you-mean suggestions.
pub fn all_regions() -> impl Iterator<Item = &'static str> {
    CLOUDS.into_iter().flat_map(|c| c.regions().iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for c in CLOUDS {
            let mut sorted = c.regions().to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, c.regions(), "{c:?}");
        }
    }

    #[test]
    fn regions_belong_to_their_cloud() {
        assert_eq!(cloud_of("westeurope"), Some(Cloud::Public));
        assert_eq!(cloud_of("chinanorth3"), Some(Cloud::China));
        assert_eq!(cloud_of("usgovvirginia"), Some(Cloud::UsGov));
        assert_eq!(cloud_of("marsnorth"), None);
        assert_eq!(canonical("West Europe"), "westeurope");
    }
}
