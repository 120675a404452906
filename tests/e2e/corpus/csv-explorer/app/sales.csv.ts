export default `
region,product,amount
North,Widgets,100
North,Gadgets,50
South,Widgets,70
South,Gadgets,30
West,Widgets,20
`;
