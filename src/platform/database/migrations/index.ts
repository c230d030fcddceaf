import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000000Foundation } from './Migration20261123000000Foundation';
import { Migration20261123010000SupportData } from './Migration20261123010000SupportData';
import { Migration20261123020000Webhooks } from './Migration20261123020000Webhooks';
import { Migration20261201000000ConversationStatusHistory } from './Migration20261201000000ConversationStatusHistory';
import { Migration20261201010000AnalyticsRollups } from './Migration20261201010000AnalyticsRollups';
import { Migration20261201020000ApiUsage } from './Migration20261201020000ApiUsage';
import { Migration20261201030000AnalyticsDurationHistograms } from './Migration20261201030000AnalyticsDurationHistograms';
import { Migration20261201040000ApiKeyChangeNotifications } from './Migration20261201040000ApiKeyChangeNotifications';
import { Migration20261201050000WebhookDeliveriesDuePerEndpoint } from './Migration20261201050000WebhookDeliveriesDuePerEndpoint';
import { Migration20261205000000ApiKeyCostBudgets } from './Migration20261205000000ApiKeyCostBudgets';
import { Migration20261206000000BulkExports } from './Migration20261206000000BulkExports';
import { Migration20261206010000DeletedRecords } from './Migration20261206010000DeletedRecords';
import { Migration20261207000000ShapedWebhooks } from './Migration20261207000000ShapedWebhooks';
import { Migration20261207010000RowVersions } from './Migration20261207010000RowVersions';
import { Migration20261207020000ConversationInsights } from './Migration20261207020000ConversationInsights';
import { Migration20261207030000AgentDirectory } from './Migration20261207030000AgentDirectory';
import { Migration20261207040000UsageSpikes } from './Migration20261207040000UsageSpikes';
import { Migration20261207050000SlaPolicies } from './Migration20261207050000SlaPolicies';
import { Migration20261207060000SlaOutcomes } from './Migration20261207060000SlaOutcomes';
import { Migration20261207065000SlaPauses } from './Migration20261207065000SlaPauses';
import { Migration20261207070000SettingsVersions } from './Migration20261207070000SettingsVersions';

/** Every migration in order; a new migration is added here as well as in its file. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261123000000Foundation', class: Migration20261123000000Foundation },
  { name: 'Migration20261123010000SupportData', class: Migration20261123010000SupportData },
  { name: 'Migration20261123020000Webhooks', class: Migration20261123020000Webhooks },
  { name: 'Migration20261201000000ConversationStatusHistory', class: Migration20261201000000ConversationStatusHistory },
  { name: 'Migration20261201010000AnalyticsRollups', class: Migration20261201010000AnalyticsRollups },
  { name: 'Migration20261201020000ApiUsage', class: Migration20261201020000ApiUsage },
  { name: 'Migration20261201030000AnalyticsDurationHistograms', class: Migration20261201030000AnalyticsDurationHistograms },
  { name: 'Migration20261201040000ApiKeyChangeNotifications', class: Migration20261201040000ApiKeyChangeNotifications },
  { name: 'Migration20261201050000WebhookDeliveriesDuePerEndpoint', class: Migration20261201050000WebhookDeliveriesDuePerEndpoint },
  { name: 'Migration20261205000000ApiKeyCostBudgets', class: Migration20261205000000ApiKeyCostBudgets },
  { name: 'Migration20261206000000BulkExports', class: Migration20261206000000BulkExports },
  { name: 'Migration20261206010000DeletedRecords', class: Migration20261206010000DeletedRecords },
  { name: 'Migration20261207000000ShapedWebhooks', class: Migration20261207000000ShapedWebhooks },
  { name: 'Migration20261207010000RowVersions', class: Migration20261207010000RowVersions },
  { name: 'Migration20261207020000ConversationInsights', class: Migration20261207020000ConversationInsights },
  { name: 'Migration20261207030000AgentDirectory', class: Migration20261207030000AgentDirectory },
  { name: 'Migration20261207040000UsageSpikes', class: Migration20261207040000UsageSpikes },
  { name: 'Migration20261207050000SlaPolicies', class: Migration20261207050000SlaPolicies },
  { name: 'Migration20261207060000SlaOutcomes', class: Migration20261207060000SlaOutcomes },
  { name: 'Migration20261207065000SlaPauses', class: Migration20261207065000SlaPauses },
  { name: 'Migration20261207070000SettingsVersions', class: Migration20261207070000SettingsVersions },
];
