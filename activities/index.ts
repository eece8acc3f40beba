export { createActivities, type PlatformActivities } from './create-activities';
