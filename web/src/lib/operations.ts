// Every GraphQL operation of the app, typed by codegen from ../schema.graphql (src/gql/ is generated).
import { graphql } from '../gql';

export const MeQuery = graphql(`
  query Me {
    me { id name affiliation email emailPublic orcid url permissions hasApiKey version scope { column values } }
  }
`);

export const DatasetsQuery = graphql(`
  query Datasets($filter: ListingFilterInput, $first: Int, $after: String) {
    datasets(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id title tagsStandard tagsUser updatedAt }
    }
  }
`);

export const CollectionsQuery = graphql(`
  query Collections($filter: ListingFilterInput, $first: Int, $after: String) {
    collections(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id title tagsStandard tagsUser updatedAt datasets { id } }
    }
  }
`);

export const StandardTagsQuery = graphql(`
  query StandardTags { standardTags }
`);

export const DatasetQuery = graphql(`
  query Dataset($id: ID!) {
    dataset(id: $id) {
      id title description tagsStandard tagsUser createdAt updatedAt version
      crossReferences { kind value url }
      authors { id name affiliation orcid }
      generators { id name affiliation orcid }
      organisation { id name affiliation }
      related { id title }
      collections { id title }
      editors { id name emailPublic }
      order { id title }
    }
  }
`);

export const CollectionQuery = graphql(`
  query Collection($id: ID!) {
    collection(id: $id) {
      id title description tagsStandard tagsUser createdAt updatedAt version
      crossReferences { kind value url }
      datasets { id title tagsStandard }
      editors { id name emailPublic }
    }
  }
`);

export const MyOrdersQuery = graphql(`
  query MyOrders($after: String) {
    orders(first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id title updatedAt tagsStandard datasets { id title } }
    }
  }
`);

export const MyCollectionsQuery = graphql(`
  query MyCollections($after: String) {
    collections(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id title updatedAt editors { id } }
    }
  }
`);

export const OrderQuery = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      id title description tagsStandard tagsUser version createdAt updatedAt
      authors { id name } generators { id name } editors { id name } organisation { id name }
      datasets { id title }
    }
  }
`);

export const CreateOrder = graphql(`
  mutation CreateOrder($input: OrderFields!) { createOrder(input: $input) { id version } }
`);
export const UpdateOrder = graphql(`
  mutation UpdateOrder($id: ID!, $input: OrderFields!) { updateOrder(id: $id, input: $input) { id version } }
`);
export const DeleteOrder = graphql(`
  mutation DeleteOrder($id: ID!) { deleteOrder(id: $id) }
`);
export const CreateDataset = graphql(`
  mutation CreateDataset($orderId: ID!, $input: DatasetFields!) { createDataset(orderId: $orderId, input: $input) { id } }
`);
export const UpdateDataset = graphql(`
  mutation UpdateDataset($id: ID!, $input: DatasetFields!) { updateDataset(id: $id, input: $input) { id version } }
`);
export const DeleteDataset = graphql(`
  mutation DeleteDataset($id: ID!) { deleteDataset(id: $id) }
`);
export const CreateCollection = graphql(`
  mutation CreateCollection($input: CollectionFields!) { createCollection(input: $input) { id } }
`);
export const UpdateCollection = graphql(`
  mutation UpdateCollection($id: ID!, $input: CollectionFields!) { updateCollection(id: $id, input: $input) { id version } }
`);
export const DeleteCollection = graphql(`
  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }
`);

export const SearchUsersQuery = graphql(`
  query SearchUsers($search: String) {
    users(search: $search, first: 10) { nodes { id name affiliation } }
  }
`);


export const DatasetLogQuery = graphql(`
  query DatasetLog($id: ID!) {
    dataset(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }
  }
`);
export const OrderLogQuery = graphql(`
  query OrderLog($id: ID!) {
    order(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }
  }
`);
export const CollectionLogQuery = graphql(`
  query CollectionLog($id: ID!) {
    collection(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }
  }
`);
export const UserLogQuery = graphql(`
  query UserLog($id: ID!) {
    user(id: $id) { id title: name log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }
  }
`);

export const UpdateMe = graphql(`
  mutation UpdateMe($input: UserFields!) { updateMe(input: $input) { id version } }
`);
export const GenerateApiKey = graphql(`
  mutation GenerateApiKey($userId: ID) { generateApiKey(userId: $userId) { userId apiKey } }
`);
export const MyActionsQuery = graphql(`
  query MyActions {
    me { id actions(first: 100) { totalCount nodes { id action timestamp dataType entityId comment } } }
  }
`);

export const StatsColumnsQuery = graphql(`
  query StatsColumns { statsColumns { name role categories } }
`);
export const FrequencyTableQuery = graphql(`
  query FrequencyTable($input: FrequencyTableInput!) {
    frequencyTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }
  }
`);
export const MeansTableQuery = graphql(`
  query MeansTable($input: MeansTableInput!) {
    meansTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }
  }
`);
export const WaveChangeQuery = graphql(`
  query WaveChange($input: WaveChangeInput!) {
    waveChange(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }
  }
`);

export const AdminUsersQuery = graphql(`
  query AdminUsers($search: String, $after: String) {
    users(search: $search, first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name email affiliation permissions hasApiKey version authIds scope { column values } }
    }
  }
`);
export const CreateUser = graphql(`
  mutation CreateUser($input: UserFields!) { createUser(input: $input) { id } }
`);
export const UpdateUser = graphql(`
  mutation UpdateUser($id: ID!, $input: UserFields!) { updateUser(id: $id, input: $input) { id version } }
`);
export const AddStandardTag = graphql(`
  mutation AddStandardTag($tag: String!, $description: String!) { addStandardTag(tag: $tag, description: $description) }
`);
export const RemoveStandardTag = graphql(`
  mutation RemoveStandardTag($tag: String!) { removeStandardTag(tag: $tag) }
`);
export const StatsStatusQuery = graphql(`
  query StatsStatus {
    statsStatus { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }
  }
`);
export const ReloadStatsFrame = graphql(`
  mutation ReloadStatsFrame {
    reloadStatsFrame { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }
  }
`);
