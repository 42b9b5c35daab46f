-- Until now only ongoing-care recipients (持续关爱) had to be visited, monthly. With visit levels, the others are
-- visited quarterly (稳定), the local rule for recipients outside the key list.
UPDATE recipients SET level = '稳定' WHERE ongoing_care = 0 AND level = '一般';
