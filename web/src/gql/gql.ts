/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me { id name affiliation email emailPublic orcid url permissions hasApiKey version scope { column values } }\n  }\n": typeof types.MeDocument,
    "\n  query Datasets($filter: ListingFilterInput, $first: Int, $after: String) {\n    datasets(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title tagsStandard tagsUser updatedAt }\n    }\n  }\n": typeof types.DatasetsDocument,
    "\n  query Collections($filter: ListingFilterInput, $first: Int, $after: String) {\n    collections(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title tagsStandard tagsUser updatedAt datasets { id } }\n    }\n  }\n": typeof types.CollectionsDocument,
    "\n  query StandardTags { standardTags }\n": typeof types.StandardTagsDocument,
    "\n  query Dataset($id: ID!) {\n    dataset(id: $id) {\n      id title description tagsStandard tagsUser createdAt updatedAt version\n      crossReferences { kind value url }\n      authors { id name affiliation orcid }\n      generators { id name affiliation orcid }\n      organisation { id name affiliation }\n      related { id title }\n      collections { id title }\n      editors { id name emailPublic }\n      order { id title }\n    }\n  }\n": typeof types.DatasetDocument,
    "\n  query Collection($id: ID!) {\n    collection(id: $id) {\n      id title description tagsStandard tagsUser createdAt updatedAt version\n      crossReferences { kind value url }\n      datasets { id title tagsStandard }\n      editors { id name emailPublic }\n    }\n  }\n": typeof types.CollectionDocument,
    "\n  query MyOrders($after: String) {\n    orders(first: 50, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title updatedAt tagsStandard datasets { id title } }\n    }\n  }\n": typeof types.MyOrdersDocument,
    "\n  query MyCollections($after: String) {\n    collections(first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id title updatedAt editors { id } }\n    }\n  }\n": typeof types.MyCollectionsDocument,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      id title description tagsStandard tagsUser version createdAt updatedAt\n      authors { id name } generators { id name } editors { id name } organisation { id name }\n      datasets { id title }\n    }\n  }\n": typeof types.OrderDocument,
    "\n  mutation CreateOrder($input: OrderFields!) { createOrder(input: $input) { id version } }\n": typeof types.CreateOrderDocument,
    "\n  mutation UpdateOrder($id: ID!, $input: OrderFields!) { updateOrder(id: $id, input: $input) { id version } }\n": typeof types.UpdateOrderDocument,
    "\n  mutation DeleteOrder($id: ID!) { deleteOrder(id: $id) }\n": typeof types.DeleteOrderDocument,
    "\n  mutation CreateDataset($orderId: ID!, $input: DatasetFields!) { createDataset(orderId: $orderId, input: $input) { id } }\n": typeof types.CreateDatasetDocument,
    "\n  mutation UpdateDataset($id: ID!, $input: DatasetFields!) { updateDataset(id: $id, input: $input) { id version } }\n": typeof types.UpdateDatasetDocument,
    "\n  mutation DeleteDataset($id: ID!) { deleteDataset(id: $id) }\n": typeof types.DeleteDatasetDocument,
    "\n  mutation CreateCollection($input: CollectionFields!) { createCollection(input: $input) { id } }\n": typeof types.CreateCollectionDocument,
    "\n  mutation UpdateCollection($id: ID!, $input: CollectionFields!) { updateCollection(id: $id, input: $input) { id version } }\n": typeof types.UpdateCollectionDocument,
    "\n  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }\n": typeof types.DeleteCollectionDocument,
    "\n  query SearchUsers($search: String) {\n    users(search: $search, first: 10) { nodes { id name affiliation } }\n  }\n": typeof types.SearchUsersDocument,
    "\n  query DatasetLog($id: ID!) {\n    dataset(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": typeof types.DatasetLogDocument,
    "\n  query OrderLog($id: ID!) {\n    order(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": typeof types.OrderLogDocument,
    "\n  query CollectionLog($id: ID!) {\n    collection(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": typeof types.CollectionLogDocument,
    "\n  query UserLog($id: ID!) {\n    user(id: $id) { id title: name log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": typeof types.UserLogDocument,
    "\n  mutation UpdateMe($input: UserFields!) { updateMe(input: $input) { id version } }\n": typeof types.UpdateMeDocument,
    "\n  mutation GenerateApiKey($userId: ID) { generateApiKey(userId: $userId) { userId apiKey } }\n": typeof types.GenerateApiKeyDocument,
    "\n  query MyActions {\n    me { id actions(first: 100) { totalCount nodes { id action timestamp dataType entityId comment } } }\n  }\n": typeof types.MyActionsDocument,
    "\n  query StatsColumns { statsColumns { name role categories } }\n": typeof types.StatsColumnsDocument,
    "\n  query FrequencyTable($input: FrequencyTableInput!) {\n    frequencyTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n": typeof types.FrequencyTableDocument,
    "\n  query MeansTable($input: MeansTableInput!) {\n    meansTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n": typeof types.MeansTableDocument,
    "\n  query WaveChange($input: WaveChangeInput!) {\n    waveChange(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n": typeof types.WaveChangeDocument,
    "\n  query AdminUsers($search: String, $after: String) {\n    users(search: $search, first: 50, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id name email affiliation permissions hasApiKey version authIds scope { column values } }\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  mutation CreateUser($input: UserFields!) { createUser(input: $input) { id } }\n": typeof types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UserFields!) { updateUser(id: $id, input: $input) { id version } }\n": typeof types.UpdateUserDocument,
    "\n  mutation AddStandardTag($tag: String!, $description: String!) { addStandardTag(tag: $tag, description: $description) }\n": typeof types.AddStandardTagDocument,
    "\n  mutation RemoveStandardTag($tag: String!) { removeStandardTag(tag: $tag) }\n": typeof types.RemoveStandardTagDocument,
    "\n  query StatsStatus {\n    statsStatus { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }\n  }\n": typeof types.StatsStatusDocument,
    "\n  mutation ReloadStatsFrame {\n    reloadStatsFrame { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }\n  }\n": typeof types.ReloadStatsFrameDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me { id name affiliation email emailPublic orcid url permissions hasApiKey version scope { column values } }\n  }\n": types.MeDocument,
    "\n  query Datasets($filter: ListingFilterInput, $first: Int, $after: String) {\n    datasets(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title tagsStandard tagsUser updatedAt }\n    }\n  }\n": types.DatasetsDocument,
    "\n  query Collections($filter: ListingFilterInput, $first: Int, $after: String) {\n    collections(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title tagsStandard tagsUser updatedAt datasets { id } }\n    }\n  }\n": types.CollectionsDocument,
    "\n  query StandardTags { standardTags }\n": types.StandardTagsDocument,
    "\n  query Dataset($id: ID!) {\n    dataset(id: $id) {\n      id title description tagsStandard tagsUser createdAt updatedAt version\n      crossReferences { kind value url }\n      authors { id name affiliation orcid }\n      generators { id name affiliation orcid }\n      organisation { id name affiliation }\n      related { id title }\n      collections { id title }\n      editors { id name emailPublic }\n      order { id title }\n    }\n  }\n": types.DatasetDocument,
    "\n  query Collection($id: ID!) {\n    collection(id: $id) {\n      id title description tagsStandard tagsUser createdAt updatedAt version\n      crossReferences { kind value url }\n      datasets { id title tagsStandard }\n      editors { id name emailPublic }\n    }\n  }\n": types.CollectionDocument,
    "\n  query MyOrders($after: String) {\n    orders(first: 50, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title updatedAt tagsStandard datasets { id title } }\n    }\n  }\n": types.MyOrdersDocument,
    "\n  query MyCollections($after: String) {\n    collections(first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id title updatedAt editors { id } }\n    }\n  }\n": types.MyCollectionsDocument,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      id title description tagsStandard tagsUser version createdAt updatedAt\n      authors { id name } generators { id name } editors { id name } organisation { id name }\n      datasets { id title }\n    }\n  }\n": types.OrderDocument,
    "\n  mutation CreateOrder($input: OrderFields!) { createOrder(input: $input) { id version } }\n": types.CreateOrderDocument,
    "\n  mutation UpdateOrder($id: ID!, $input: OrderFields!) { updateOrder(id: $id, input: $input) { id version } }\n": types.UpdateOrderDocument,
    "\n  mutation DeleteOrder($id: ID!) { deleteOrder(id: $id) }\n": types.DeleteOrderDocument,
    "\n  mutation CreateDataset($orderId: ID!, $input: DatasetFields!) { createDataset(orderId: $orderId, input: $input) { id } }\n": types.CreateDatasetDocument,
    "\n  mutation UpdateDataset($id: ID!, $input: DatasetFields!) { updateDataset(id: $id, input: $input) { id version } }\n": types.UpdateDatasetDocument,
    "\n  mutation DeleteDataset($id: ID!) { deleteDataset(id: $id) }\n": types.DeleteDatasetDocument,
    "\n  mutation CreateCollection($input: CollectionFields!) { createCollection(input: $input) { id } }\n": types.CreateCollectionDocument,
    "\n  mutation UpdateCollection($id: ID!, $input: CollectionFields!) { updateCollection(id: $id, input: $input) { id version } }\n": types.UpdateCollectionDocument,
    "\n  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }\n": types.DeleteCollectionDocument,
    "\n  query SearchUsers($search: String) {\n    users(search: $search, first: 10) { nodes { id name affiliation } }\n  }\n": types.SearchUsersDocument,
    "\n  query DatasetLog($id: ID!) {\n    dataset(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": types.DatasetLogDocument,
    "\n  query OrderLog($id: ID!) {\n    order(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": types.OrderLogDocument,
    "\n  query CollectionLog($id: ID!) {\n    collection(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": types.CollectionLogDocument,
    "\n  query UserLog($id: ID!) {\n    user(id: $id) { id title: name log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n": types.UserLogDocument,
    "\n  mutation UpdateMe($input: UserFields!) { updateMe(input: $input) { id version } }\n": types.UpdateMeDocument,
    "\n  mutation GenerateApiKey($userId: ID) { generateApiKey(userId: $userId) { userId apiKey } }\n": types.GenerateApiKeyDocument,
    "\n  query MyActions {\n    me { id actions(first: 100) { totalCount nodes { id action timestamp dataType entityId comment } } }\n  }\n": types.MyActionsDocument,
    "\n  query StatsColumns { statsColumns { name role categories } }\n": types.StatsColumnsDocument,
    "\n  query FrequencyTable($input: FrequencyTableInput!) {\n    frequencyTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n": types.FrequencyTableDocument,
    "\n  query MeansTable($input: MeansTableInput!) {\n    meansTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n": types.MeansTableDocument,
    "\n  query WaveChange($input: WaveChangeInput!) {\n    waveChange(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n": types.WaveChangeDocument,
    "\n  query AdminUsers($search: String, $after: String) {\n    users(search: $search, first: 50, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id name email affiliation permissions hasApiKey version authIds scope { column values } }\n    }\n  }\n": types.AdminUsersDocument,
    "\n  mutation CreateUser($input: UserFields!) { createUser(input: $input) { id } }\n": types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UserFields!) { updateUser(id: $id, input: $input) { id version } }\n": types.UpdateUserDocument,
    "\n  mutation AddStandardTag($tag: String!, $description: String!) { addStandardTag(tag: $tag, description: $description) }\n": types.AddStandardTagDocument,
    "\n  mutation RemoveStandardTag($tag: String!) { removeStandardTag(tag: $tag) }\n": types.RemoveStandardTagDocument,
    "\n  query StatsStatus {\n    statsStatus { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }\n  }\n": types.StatsStatusDocument,
    "\n  mutation ReloadStatsFrame {\n    reloadStatsFrame { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }\n  }\n": types.ReloadStatsFrameDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me { id name affiliation email emailPublic orcid url permissions hasApiKey version scope { column values } }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Datasets($filter: ListingFilterInput, $first: Int, $after: String) {\n    datasets(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title tagsStandard tagsUser updatedAt }\n    }\n  }\n"): typeof import('./graphql').DatasetsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Collections($filter: ListingFilterInput, $first: Int, $after: String) {\n    collections(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title tagsStandard tagsUser updatedAt datasets { id } }\n    }\n  }\n"): typeof import('./graphql').CollectionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StandardTags { standardTags }\n"): typeof import('./graphql').StandardTagsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Dataset($id: ID!) {\n    dataset(id: $id) {\n      id title description tagsStandard tagsUser createdAt updatedAt version\n      crossReferences { kind value url }\n      authors { id name affiliation orcid }\n      generators { id name affiliation orcid }\n      organisation { id name affiliation }\n      related { id title }\n      collections { id title }\n      editors { id name emailPublic }\n      order { id title }\n    }\n  }\n"): typeof import('./graphql').DatasetDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Collection($id: ID!) {\n    collection(id: $id) {\n      id title description tagsStandard tagsUser createdAt updatedAt version\n      crossReferences { kind value url }\n      datasets { id title tagsStandard }\n      editors { id name emailPublic }\n    }\n  }\n"): typeof import('./graphql').CollectionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrders($after: String) {\n    orders(first: 50, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id title updatedAt tagsStandard datasets { id title } }\n    }\n  }\n"): typeof import('./graphql').MyOrdersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyCollections($after: String) {\n    collections(first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id title updatedAt editors { id } }\n    }\n  }\n"): typeof import('./graphql').MyCollectionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Order($id: ID!) {\n    order(id: $id) {\n      id title description tagsStandard tagsUser version createdAt updatedAt\n      authors { id name } generators { id name } editors { id name } organisation { id name }\n      datasets { id title }\n    }\n  }\n"): typeof import('./graphql').OrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrder($input: OrderFields!) { createOrder(input: $input) { id version } }\n"): typeof import('./graphql').CreateOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateOrder($id: ID!, $input: OrderFields!) { updateOrder(id: $id, input: $input) { id version } }\n"): typeof import('./graphql').UpdateOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteOrder($id: ID!) { deleteOrder(id: $id) }\n"): typeof import('./graphql').DeleteOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDataset($orderId: ID!, $input: DatasetFields!) { createDataset(orderId: $orderId, input: $input) { id } }\n"): typeof import('./graphql').CreateDatasetDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDataset($id: ID!, $input: DatasetFields!) { updateDataset(id: $id, input: $input) { id version } }\n"): typeof import('./graphql').UpdateDatasetDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDataset($id: ID!) { deleteDataset(id: $id) }\n"): typeof import('./graphql').DeleteDatasetDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCollection($input: CollectionFields!) { createCollection(input: $input) { id } }\n"): typeof import('./graphql').CreateCollectionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCollection($id: ID!, $input: CollectionFields!) { updateCollection(id: $id, input: $input) { id version } }\n"): typeof import('./graphql').UpdateCollectionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }\n"): typeof import('./graphql').DeleteCollectionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchUsers($search: String) {\n    users(search: $search, first: 10) { nodes { id name affiliation } }\n  }\n"): typeof import('./graphql').SearchUsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetLog($id: ID!) {\n    dataset(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n"): typeof import('./graphql').DatasetLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderLog($id: ID!) {\n    order(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n"): typeof import('./graphql').OrderLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollectionLog($id: ID!) {\n    collection(id: $id) { id title log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n"): typeof import('./graphql').CollectionLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserLog($id: ID!) {\n    user(id: $id) { id title: name log(first: 100) { totalCount nodes { id action timestamp actorId comment data actor { id name } } } }\n  }\n"): typeof import('./graphql').UserLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMe($input: UserFields!) { updateMe(input: $input) { id version } }\n"): typeof import('./graphql').UpdateMeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GenerateApiKey($userId: ID) { generateApiKey(userId: $userId) { userId apiKey } }\n"): typeof import('./graphql').GenerateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyActions {\n    me { id actions(first: 100) { totalCount nodes { id action timestamp dataType entityId comment } } }\n  }\n"): typeof import('./graphql').MyActionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatsColumns { statsColumns { name role categories } }\n"): typeof import('./graphql').StatsColumnsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FrequencyTable($input: FrequencyTableInput!) {\n    frequencyTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n"): typeof import('./graphql').FrequencyTableDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MeansTable($input: MeansTableInput!) {\n    meansTable(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n"): typeof import('./graphql').MeansTableDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WaveChange($input: WaveChangeInput!) {\n    waveChange(input: $input) { groupColumns columns rows { groups cells } suppressed { row column } }\n  }\n"): typeof import('./graphql').WaveChangeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($search: String, $after: String) {\n    users(search: $search, first: 50, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { id name email affiliation permissions hasApiKey version authIds scope { column values } }\n    }\n  }\n"): typeof import('./graphql').AdminUsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: UserFields!) { createUser(input: $input) { id } }\n"): typeof import('./graphql').CreateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateUser($id: ID!, $input: UserFields!) { updateUser(id: $id, input: $input) { id version } }\n"): typeof import('./graphql').UpdateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddStandardTag($tag: String!, $description: String!) { addStandardTag(tag: $tag, description: $description) }\n"): typeof import('./graphql').AddStandardTagDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveStandardTag($tag: String!) { removeStandardTag(tag: $tag) }\n"): typeof import('./graphql').RemoveStandardTagDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatsStatus {\n    statsStatus { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }\n  }\n"): typeof import('./graphql').StatsStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReloadStatsFrame {\n    reloadStatsFrame { loadedAt source checksum rows students waves lastError lastErrorAt lastScopeDenial lastScopeDenialAt }\n  }\n"): typeof import('./graphql').ReloadStatsFrameDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
